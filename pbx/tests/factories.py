"""Test builders of the pbx app: one function per kind of object, with defaults a test may override.

Every test makes its extensions, numbers, queues, schemes and phone registrations here, so a new
required field is added in one place. A builder writes the row directly unless the object only
makes sense through its service (a SIP account with a password: hashes and Kamailio's subscriber row).
"""

from __future__ import annotations

import datetime
import itertools
import uuid

from django.db import connection
from django.utils import timezone

from pbx.kamailio import schema
from pbx.kamailio.models import JULIAN_DAY_OF_EPOCH, SipHealth
from pbx.models import ExternalNumber, PhoneNumber, Queue, QueueAgent, Scheme, SipAccount
from pbx.services import sip as sip_services

SIP_PASSWORD = "Tajne9x8y7z6haslo"
_sequence = itertools.count(1)


def sip_account(customer, *, extension: str = "10", password: str | None = None, **fields) -> SipAccount:
    """An extension named "Konto <extension>" unless `name` says otherwise.

    With a `password` it is made by the SIP service, as the panel makes it (validated, digest hashes,
    Kamailio's subscriber row); without one it is a bare row, which may break rules the service keeps.
    """
    fields.setdefault("name", f"Konto {extension}")
    if password is None:
        return SipAccount.objects.create(customer=customer, extension=extension, **fields)
    return sip_services.sip_account_create(
        customer=customer, fields={"extension": extension, **fields}, password=password
    )


def external_number(customer, *, number: str | None = None, **fields) -> ExternalNumber:
    """An external number (a mobile by default, a new one on every call unless `number` is given)."""
    return ExternalNumber.objects.create(customer=customer, number=number or f"+48501{next(_sequence):06d}", **fields)


def phone_number(customer, *, number: str | None = None, **fields) -> PhoneNumber:
    """A public number (DID) assigned to `customer`; numbers are unique across customers, so a new one by default."""
    return PhoneNumber.objects.create(customer=customer, number=number or f"+48943{next(_sequence):06d}", **fields)


def queue(customer, *, number: str = "1000", name: str = "Sprzedaż", **fields) -> Queue:
    return Queue.objects.create(customer=customer, number=number, name=name, **fields)


def queue_agent(queue: Queue, *, sip: SipAccount | None = None, external: ExternalNumber | None = None, **fields):
    """An agent of `queue`: an extension (`sip`) or an external number, at `position` 0 unless told."""
    return QueueAgent.objects.create(queue=queue, sip=sip, external=external, **fields)


def scheme(customer, *, name: str = "Infolinia", **fields) -> Scheme:
    """A call-flow scheme, empty unless a `graph` is given."""
    return Scheme.objects.create(customer=customer, name=name, **fields)


def sip_health(account: SipAccount, *, state: str, **fields) -> SipHealth:
    """What the last monitoring check of `account` found, checked now unless `checked_at` is given."""
    fields.setdefault("checked_at", timezone.now())
    return SipHealth.objects.create(customer=account.customer, sip_account=account, state=state, **fields)


def registration(username: str, *, expires, contact=None, received=None, user_agent="Yealink T46U") -> None:
    """A phone's registration, a location row as Kamailio writes it: a Julian day on SQLite, UTC on PostgreSQL."""
    if connection.vendor == "sqlite":
        stored = expires.timestamp() / 86400.0 + JULIAN_DAY_OF_EPOCH
    else:
        stored = expires.astimezone(datetime.UTC).replace(tzinfo=None)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {schema.LOCATION_TABLE} "  # noqa: S608 - a constant table name
            "(ruid, username, contact, received, expires, last_modified, user_agent) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [
                f"ruid-{uuid.uuid4().hex}",
                username,
                contact or f"sip:{username}@192.168.1.20:5062;transport=udp",
                received,
                stored,
                stored,
                user_agent,
            ],
        )
