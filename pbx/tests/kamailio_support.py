"""Shared helpers of the Kamailio tests: SIP accounts and registrations as Kamailio writes them."""

from __future__ import annotations

import datetime
import uuid

from django.db import connection

from pbx.kamailio import schema
from pbx.kamailio.models import JULIAN_DAY_OF_EPOCH
from pbx.models import SipAccount
from pbx.services import sip as sip_services

PASSWORD = "Tajne9x8y7z6haslo"


def make_account(customer, extension, **fields) -> SipAccount:
    return sip_services.sip_account_create(
        customer=customer, fields={"extension": extension, "name": f"Telefon {extension}", **fields}, password=PASSWORD
    )


def insert_location(username, *, expires, contact=None, received=None, user_agent="Yealink T46U"):
    """A row as Kamailio writes it: a Julian day on SQLite, UTC wall-clock time on PostgreSQL."""
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
