"""Reads of the panel app, always scoped to one customer."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from panel.models import Customer, User


@dataclass(frozen=True)
class DashboardCounts:
    sip_accounts: int
    phone_numbers: int
    queues: int


def user_list(*, customer: Customer) -> QuerySet[User]:
    return User.objects.for_customer(customer).order_by("username")


def dashboard_counts(*, customer: Customer) -> DashboardCounts:
    from pbx.models import PhoneNumber, Queue, SipAccount

    return DashboardCounts(
        sip_accounts=SipAccount.objects.for_customer(customer).count(),
        phone_numbers=PhoneNumber.objects.for_customer(customer).count(),
        queues=Queue.objects.for_customer(customer).count(),
    )
