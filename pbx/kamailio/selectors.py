"""Reads of registrations and monitoring results, always scoped to one customer.

Kamailio's location table is not a tenant table: a customer's rows are the
ones whose user name is one of its SIP accounts' `<prefix>_<extension>`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models.functions import Length
from django.utils import timezone

from panel.models import Customer
from pbx.kamailio.models import Location, SipHealth
from pbx.models import SipAccount

_HOST_PORT = re.compile(r"^sips?:(?:[^@;>]*@)?(\[[^\]]+\]|[^:;>]+)(?::(\d+))?", re.IGNORECASE)
_TRANSPORT = re.compile(r";transport=([a-z]+)", re.IGNORECASE)


@dataclass(frozen=True)
class Registration:
    """One registered phone of an extension: from where, with what, until when."""

    address: str  # host:port the phone is reached at (its public address when behind NAT)
    transport: str
    user_agent: str
    expires: datetime
    registered_at: datetime | None
    contact: str


def _address(uri: str) -> tuple[str, str]:
    """(host:port, transport) of a SIP URI such as `sip:user@192.0.2.1:5062;transport=tcp`."""
    match = _HOST_PORT.match(uri or "")
    if not match:
        return uri or "", "UDP"
    host, port = match.group(1), match.group(2) or "5060"
    transport = _TRANSPORT.search(uri)
    return f"{host}:{port}", (transport.group(1) if transport else "udp").upper()


def _registration(row: Location) -> Registration:
    contact_address, transport = _address(row.contact)
    address = _address(row.received)[0] if row.received else contact_address
    return Registration(
        address=address,
        transport=transport,
        user_agent=row.user_agent,
        expires=row.expires,
        registered_at=row.last_modified,
        contact=row.contact,
    )


def registrations(*, customer: Customer, accounts: Iterable[SipAccount]) -> dict[int, list[Registration]]:
    """The live registrations of the customer's `accounts`, by account id (none: not registered)."""
    by_username = {
        f"{customer.prefix}_{account.extension}": account.pk
        for account in accounts
        if account.customer_id == customer.pk
    }
    found: dict[int, list[Registration]] = defaultdict(list)
    if not by_username:
        return found
    now = timezone.now()
    rows = Location.objects.filter(username__in=list(by_username)).order_by("id")
    for row in rows:
        if row.expires is not None and row.expires > now:
            found[by_username[row.username]].append(_registration(row))
    return found


def account_registrations(*, customer: Customer, account: SipAccount) -> list[Registration]:
    return registrations(customer=customer, accounts=[account]).get(account.pk, [])


def health_warnings(*, customer: Customer) -> list[SipHealth]:
    """Monitored extensions whose last check failed (the dashboard warns about them)."""
    return list(
        SipHealth.objects.for_customer(customer)
        .filter(sip_account__monitor_health=True, sip_account__is_active=True, failing_since__isnull=False)
        .select_related("sip_account")
        .order_by(Length("sip_account__extension"), "sip_account__extension")
    )


def account_health(*, customer: Customer, account: SipAccount) -> SipHealth | None:
    return SipHealth.objects.for_customer(customer).filter(sip_account=account).first()
