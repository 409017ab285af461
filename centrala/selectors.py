"""Reads for the dashboard, which sums up every app for one customer (so it lives in the shell, not in panel)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from billing.selectors import balance
from conferences.models import Participant
from panel.models import Customer
from pbx.models import PhoneNumber, Queue, SipAccount
from pbx.selectors.monitoring import live_call_list


@dataclass(frozen=True)
class DashboardCounts:
    sip_accounts: int
    phone_numbers: int
    queues: int
    balance_net: Decimal
    balance_gross: Decimal


@dataclass(frozen=True)
class LiveNow:
    """What is going on right now: calls in progress and people in teleconference rooms."""

    calls: int
    conference_participants: int
    rooms_in_use: int


def dashboard_counts(*, customer: Customer) -> DashboardCounts:
    money = balance(customer=customer)
    return DashboardCounts(
        balance_net=money.net,
        balance_gross=money.gross,
        sip_accounts=SipAccount.objects.for_customer(customer).count(),
        phone_numbers=PhoneNumber.objects.for_customer(customer).count(),
        queues=Queue.objects.for_customer(customer).count(),
    )


def live_now(*, customer: Customer) -> LiveNow:
    participants = Participant.objects.for_customer(customer).filter(left_at__isnull=True)
    return LiveNow(
        calls=live_call_list(customer=customer).count(),
        conference_participants=participants.count(),
        rooms_in_use=participants.values("room").distinct().count(),
    )
