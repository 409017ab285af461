"""Reads of call monitoring: the customer's live calls, its monitoring sessions and the phones it may listen on."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from billing.models import Service
from billing.rating import Rate
from billing.selectors import prefix_table, service_active, tariff_for_customer
from panel.models import Customer
from pbx.models import ExternalNumber, LiveCall, MonitorSession, SipAccount
from pbx.models.live import LIVE_CALL_STALE_AFTER, LiveCallState, MonitorStatus

SERVICE_CODE = "monitoring"


def monitoring_available(*, customer: Customer, at: datetime | None = None) -> bool:
    """Whether the customer has the call monitoring service (a paid add-on) at `at` (now by default)."""
    return service_active(customer=customer, code=SERVICE_CODE, at=at or timezone.now())


def monitoring_service() -> Service | None:
    """The catalogue entry, for its price on the page that explains how to get the service."""
    return Service.objects.filter(code=SERVICE_CODE).first()


def live_call_queryset(*, customer: Customer) -> QuerySet[LiveCall]:
    """Every call of the customer known from call events, live or not: what object look-ups go through."""
    return LiveCall.objects.for_customer(customer)


def live_call_list(*, customer: Customer, now: datetime | None = None) -> QuerySet[LiveCall]:
    """The calls going on now: not ended, and with an event in the last hours (a lost "ended" does not linger)."""
    now = now or timezone.now()
    return (
        live_call_queryset(customer=customer)
        .exclude(state=LiveCallState.ENDED)
        .filter(last_event_at__gt=now - LIVE_CALL_STALE_AFTER)
        .order_by("started_at", "pk")
    )


def monitor_session_list(*, customer: Customer) -> QuerySet[MonitorSession]:
    """The customer's monitoring, newest first."""
    return MonitorSession.objects.for_customer(customer).select_related("requested_by").order_by("-created_at", "-pk")


def active_monitor_sessions(*, customer: Customer, now: datetime | None = None) -> QuerySet[MonitorSession]:
    """Monitoring going on now: its call is still live."""
    now = now or timezone.now()
    return (
        monitor_session_list(customer=customer)
        .filter(status=MonitorStatus.ACTIVE, live_call__state__in=[LiveCallState.RINGING, LiveCallState.ANSWERED])
        .filter(live_call__last_event_at__gt=now - LIVE_CALL_STALE_AFTER)
    )


def monitor_extensions(*, customer: Customer) -> QuerySet[SipAccount]:
    """The customer's extensions a supervisor may listen on."""
    return SipAccount.objects.for_customer(customer).filter(is_active=True).order_by("extension")


def monitor_external_numbers(*, customer: Customer) -> QuerySet[ExternalNumber]:
    """The customer's external numbers a supervisor may listen on (billed as a normal call)."""
    return ExternalNumber.objects.for_customer(customer).order_by("number")


def external_rates(*, customer: Customer, numbers: list[str]) -> dict[str, Rate | None]:
    """The per-minute rate of each number, reading the customer's tariff once."""
    tariff = tariff_for_customer(customer=customer)
    table = prefix_table(tariff=tariff) if tariff is not None else None
    return {number: table.lookup(number) if table is not None else None for number in numbers}


def extension_names(*, customer: Customer) -> dict[str, str]:
    """Extension → SIP account name, to show who the agent on a call is."""
    return dict(SipAccount.objects.for_customer(customer).values_list("extension", "name"))
