"""Reads of the recordings push, always scoped to one customer."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from billing.selectors import service_active
from panel.models import Customer
from recordings.models import PushConfirmation, PushRun, PushTarget, Recording
from recordings.push.choices import PushRunStatus
from recordings.push.days import local_day_bounds, previous_local_day

SERVICE_CODE = "recording_push"
BACKLOG_DAYS = 7
WARNING_AFTER_FAILED_NIGHTS = 2


def push_service_active(*, customer: Customer, at: datetime | None = None) -> bool:
    """Whether the customer pays for the push ("Automatyczne przesyłanie nagrań na Twój serwer") right now."""
    return service_active(customer=customer, code=SERVICE_CODE, at=at or timezone.now())


def push_target_get(*, customer: Customer) -> PushTarget | None:
    return PushTarget.objects.for_customer(customer).first()


def push_run_list(*, customer: Customer, query: str = "") -> QuerySet[PushRun]:
    """The customer's push runs, newest day first; `query` matches the day (e.g. 2026-03) or the error text."""
    runs = PushRun.objects.for_customer(customer)
    query = (query or "").strip()
    if query:
        runs = runs.filter(Q(day__icontains=query) | Q(error__icontains=query) | Q(status__iexact=query))
    return runs


def push_run_get(*, customer: Customer, pk: int) -> PushRun | None:
    return PushRun.objects.for_customer(customer).filter(pk=pk).first()


def push_run_for_day(*, customer: Customer, day: date) -> PushRun | None:
    return PushRun.objects.for_customer(customer).filter(day=day).first()


def push_confirmation_list(*, customer: Customer, run: PushRun) -> QuerySet[PushConfirmation]:
    return PushConfirmation.objects.for_customer(customer).filter(run=run).select_related("recording")


def day_recordings(*, customer: Customer, day: date) -> QuerySet[Recording]:
    """The customer's recordings that started on `day` (local time), oldest first."""
    start, end = local_day_bounds(day)
    return (
        Recording.objects.for_customer(customer)
        .filter(started_at__gte=start, started_at__lt=end)
        .order_by("started_at", "pk")
    )


def customers_with_push(*, at: datetime) -> list[Customer]:
    """Active customers that have the push service on at `at` (subscribed, or included in the package)."""
    from billing.models import PackagePlan, Subscription

    subscribed = Subscription.objects.filter(service__code=SERVICE_CODE).exclude(status="ended").values("customer")
    packages = PackagePlan.objects.filter(included_services__code=SERVICE_CODE).values("code")
    candidates = Customer.objects.filter(is_active=True).filter(Q(pk__in=subscribed) | Q(package__in=packages))
    return [customer for customer in candidates.order_by("pk") if push_service_active(customer=customer, at=at)]


def backlog_days(*, customer: Customer, now: datetime) -> list[date]:
    """The days tonight's push sends, oldest first: yesterday plus unfinished days of the last week."""
    yesterday = previous_local_day(now)
    oldest = yesterday - timedelta(days=BACKLOG_DAYS - 1)
    pending = (
        PushRun.objects.for_customer(customer)
        .filter(day__gte=oldest, day__lt=yesterday)
        .exclude(status=PushRunStatus.DONE)
        .values_list("day", flat=True)
    )
    return sorted({*pending, yesterday})


def push_warnings(*, customer: Customer) -> list[PushRun]:
    """Days whose push failed on two nights or more (the dashboard warns about them), newest first."""
    return list(
        PushRun.objects.for_customer(customer).filter(
            status=PushRunStatus.FAILED, failed_nights__gte=WARNING_AFTER_FAILED_NIGHTS
        )
    )
