"""Reads of the recordings app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from panel.models import Customer
from recordings.models import FtpAccount, FtpLogEntry, Recording


@dataclass(frozen=True)
class FtpAccessInfo:
    """What the customer needs to connect an FTP client (the password is revealed separately)."""

    host: str
    port: int
    login: str
    is_enabled: bool
    tls_required: bool


def ftp_account_get(*, customer: Customer) -> FtpAccount | None:
    return FtpAccount.objects.for_customer(customer).select_related("customer").first()


def ftp_account_for_login(*, login: str) -> FtpAccount | None:
    """The FTP account whose login (the customer prefix) is `login`, for the FTP server's log-in check."""
    if not login or len(login) > 20:
        return None
    return FtpAccount.objects.select_related("customer").filter(customer__prefix=login).first()


def ftp_access_info(*, account: FtpAccount) -> FtpAccessInfo:
    return FtpAccessInfo(
        host=settings.FTP_PUBLIC_HOST,
        port=settings.FTP_PUBLIC_PORT,
        login=account.login,
        is_enabled=account.is_enabled,
        tls_required=settings.FTP_REQUIRE_TLS,
    )


def recording_list(*, customer: Customer):
    return Recording.objects.for_customer(customer)


def call_recording_exists() -> Exists:
    """A correlated EXISTS for billing's call history: the outer call record (customer, call id) has a recording."""
    return Exists(Recording.objects.filter(customer=OuterRef("customer"), call_id=OuterRef("call_id")))


def call_recordings(*, customer: Customer, call_ids: set[str]):
    """(call_id, pk, started_at) of the customer's recordings of these calls, by call id, oldest first (one query)."""
    return (
        Recording.objects.for_customer(customer)
        .filter(call_id__in=call_ids)
        .order_by("call_id", "started_at", "pk")
        .values_list("call_id", "pk", "started_at")
    )


def ftp_log_list(*, customer: Customer):
    return FtpLogEntry.objects.for_customer(customer)


# --- The panel's recordings page: the last 30 days only (older recordings are on FTP only)


@dataclass(frozen=True)
class RecordingFilters:
    """What the recordings page filters by; dates are local calendar days, both ends included."""

    date_from: date | None = None
    date_to: date | None = None
    number: str = ""
    direction: str = ""

    def as_dict(self) -> dict:
        return {
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "number": self.number,
            "direction": self.direction,
        }

    @classmethod
    def from_dict(cls, data: dict) -> RecordingFilters:
        return cls(
            date_from=date.fromisoformat(data["date_from"]) if data.get("date_from") else None,
            date_to=date.fromisoformat(data["date_to"]) if data.get("date_to") else None,
            number=data.get("number") or "",
            direction=data.get("direction") or "",
        )


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def recording_panel_list(*, customer: Customer, filters: RecordingFilters | None = None, now: datetime | None = None):
    """The customer's recordings that the panel shows: started within the last 30 days, filtered, newest first."""
    from recordings.retention import panel_window_start

    now = now or timezone.now()
    filters = filters or RecordingFilters()
    recordings = Recording.objects.for_customer(customer).filter(started_at__gte=panel_window_start(now))
    if filters.date_from:
        recordings = recordings.filter(started_at__gte=_local_midnight(filters.date_from))
    if filters.date_to:
        recordings = recordings.filter(started_at__lt=_local_midnight(filters.date_to + timedelta(days=1)))
    digits = "".join(character for character in filters.number if character.isdigit())
    if digits:
        recordings = recordings.filter(Q(caller__contains=digits) | Q(callee__contains=digits))
    if filters.direction:
        recordings = recordings.filter(direction=filters.direction)
    return recordings.order_by("-started_at", "-pk")


def recording_panel_get(*, customer: Customer, pk: int, now: datetime | None = None) -> Recording | None:
    """One recording the panel may play or offer: the customer's own and from the last 30 days, else None."""
    return recording_panel_list(customer=customer, now=now).filter(pk=pk).first()


def recording_totals(*, recordings) -> tuple[int, int]:
    """(count, bytes) of a queryset of recordings."""
    totals = recordings.aggregate(count=Count("pk"), size=Sum("size_bytes"))
    return totals["count"] or 0, totals["size"] or 0
