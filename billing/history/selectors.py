"""Reads of the call history: one customer's calls, filtered, in keyset pages, with totals and for export.

Every query starts with `customer_id = …` and the bounded period, so it is
served by an index that begins with the customer (see billing/history/indexes.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from billing import registry
from billing.choices import Disposition
from billing.history.forms import Answered, HistoryFilters, Sort
from billing.history.keyset import Cursor, SortKey
from billing.models import CallRecord
from panel.models import Customer
from panel.money import GROSZ

PAGE_SIZE = 25
EXPORT_CHUNK = 2000
# The panel plays and offers for download only recordings of the last 30 days; older ones are on FTP only.
PANEL_RECORDING_DAYS = 30
# Exact totals are computed on every page view only for periods up to this many days.
EXACT_TOTALS_MAX_DAYS = 31

SORT_KEYS: dict[str, SortKey] = {
    Sort.DATE_DESC: SortKey("started_at", descending=True, kind="datetime"),
    Sort.DATE_ASC: SortKey("started_at", descending=False, kind="datetime"),
    Sort.COST_DESC: SortKey("cost_net", descending=True, kind="decimal", nullable=True),
    Sort.COST_ASC: SortKey("cost_net", descending=False, kind="decimal", nullable=True),
}

PAGE_FIELDS = (
    "id",
    "customer",
    "call_id",
    "started_at",
    "direction",
    "caller",
    "callee",
    "extension",
    "disposition",
    "talk_seconds",
    "cost_net",
    "cost_gross",
    "rating_status",
)


def recording_exists():
    """A correlated EXISTS: the outer call record has a recording (any age); None without a recordings hook."""
    hooks = registry.call_recordings
    return hooks[0].exists() if hooks else None


def call_history_queryset(*, customer: Customer, filters: HistoryFilters) -> QuerySet[CallRecord]:
    """The customer's calls in the period that match every filter, unordered."""
    calls = CallRecord.objects.for_customer(customer).filter(started_at__gte=filters.start, started_at__lt=filters.end)
    if filters.direction:
        calls = calls.filter(direction=filters.direction)
    if filters.extension:
        calls = calls.filter(extension=filters.extension)
    if filters.number:
        calls = calls.filter(Q(caller__contains=filters.number) | Q(callee__contains=filters.number))
    if filters.answered == Answered.YES:
        calls = calls.filter(disposition=Disposition.ANSWERED)
    elif filters.answered == Answered.NO:
        calls = calls.exclude(disposition=Disposition.ANSWERED)
    if filters.with_recording:
        exists = recording_exists()
        calls = calls.filter(exists) if exists is not None else calls.none()
    if filters.min_cost is not None:
        calls = calls.filter(cost_net__gte=filters.min_cost)
    return calls


@dataclass
class HistoryPage:
    rows: list[CallRecord]
    next_cursor: str | None = None
    previous_cursor: str | None = None
    recordings: dict = field(default_factory=dict)

    @property
    def is_first(self) -> bool:
        return self.previous_cursor is None


def _cursor_of(row: CallRecord, key: SortKey) -> str:
    return Cursor(getattr(row, key.field), row.pk).encode(key.kind)


def call_history_page(
    *,
    customer: Customer,
    filters: HistoryFilters,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
    now: datetime | None = None,
) -> HistoryPage:
    """One keyset page: the first, the one after cursor `after`, or the one before cursor `before`.

    A cursor that is not ours (a hand-edited URL) gives the first page.
    """
    key = SORT_KEYS[filters.sort]
    calls = call_history_queryset(customer=customer, filters=filters).only(*PAGE_FIELDS)
    backward = Cursor.decode(before, key.kind) if before else None
    forward = Cursor.decode(after, key.kind) if after and backward is None else None
    has_previous = has_next = False
    rows: list[CallRecord] = []
    if backward is not None:
        reverse = key.reversed()
        rows = list(calls.filter(reverse.after(backward)).order_by(*reverse.order_by())[: size + 1])
        has_previous = len(rows) > size
        rows = rows[:size][::-1]
        has_next = True
        if not has_previous:
            # Back at the start: show a full first page rather than the few rows before the cursor.
            backward = None
    if backward is None:
        if forward is not None:
            calls = calls.filter(key.after(forward))
            has_previous = True
        else:
            has_previous = False
        rows = list(calls.order_by(*key.order_by())[: size + 1])
        has_next = len(rows) > size
        rows = rows[:size]
    page = HistoryPage(rows=rows)
    if rows and has_next:
        page.next_cursor = _cursor_of(rows[-1], key)
    if rows and has_previous:
        page.previous_cursor = _cursor_of(rows[0], key)
    page.recordings = panel_recordings(customer=customer, call_ids=[row.call_id for row in rows], now=now)
    return page


@dataclass(frozen=True)
class PanelRecording:
    """A call's recording as the history shows it: playable in the panel, or kept on FTP only."""

    pk: int
    started_at: datetime
    in_panel: bool


def panel_recordings(
    *, customer: Customer, call_ids: list[str], now: datetime | None = None
) -> dict[str, PanelRecording]:
    """The newest recording of each of these calls, by call id (one query, served by the call id index)."""
    hooks = registry.call_recordings
    if not hooks or not call_ids:
        return {}
    cutoff = (now or timezone.now()) - timedelta(days=PANEL_RECORDING_DAYS)
    found: dict[str, PanelRecording] = {}
    for call_id, pk, started_at in hooks[0].of_calls(customer=customer, call_ids=set(call_ids)):
        found[call_id] = PanelRecording(pk=pk, started_at=started_at, in_panel=started_at >= cutoff)
    return found


@dataclass(frozen=True)
class HistoryTotals:
    count: int
    talk_seconds: int
    cost_net: Decimal
    cost_gross: Decimal

    @property
    def minutes(self) -> Decimal:
        return (Decimal(self.talk_seconds) / 60).quantize(Decimal("0.1"))


def totals_on_every_view(filters: HistoryFilters) -> bool:
    """Whether the page may count the filtered set exactly on every view (periods up to 31 days)."""
    return filters.days <= EXACT_TOTALS_MAX_DAYS


def call_history_totals(*, customer: Customer, filters: HistoryFilters) -> HistoryTotals:
    """Exact count, talk time and cost of the whole filtered set (one aggregate over the index range)."""
    result = call_history_queryset(customer=customer, filters=filters).aggregate(
        count=Count("id"), talk=Sum("talk_seconds"), net=Sum("cost_net"), gross=Sum("cost_gross")
    )
    return HistoryTotals(
        count=result["count"],
        talk_seconds=result["talk"] or 0,
        cost_net=(result["net"] or Decimal(0)).quantize(GROSZ),
        cost_gross=(result["gross"] or Decimal(0)).quantize(GROSZ),
    )


EXPORT_FIELDS = (
    "id",
    "call_id",
    "started_at",
    "direction",
    "caller",
    "callee",
    "extension",
    "queue_number",
    "disposition",
    "talk_seconds",
    "cost_net",
    "cost_gross",
)


def call_history_export_rows(
    *, customer: Customer, filters: HistoryFilters, chunk: int | None = None
) -> Iterator[dict]:
    """Every row of the filtered set in the page's order, read in keyset chunks (memory stays flat)."""
    chunk = chunk or EXPORT_CHUNK
    key = SORT_KEYS[filters.sort]
    calls = call_history_queryset(customer=customer, filters=filters)
    exists = recording_exists()
    if exists is not None:
        calls = calls.annotate(has_recording=exists)
    names = (*EXPORT_FIELDS, "has_recording") if exists is not None else EXPORT_FIELDS
    cursor: Cursor | None = None
    while True:
        batch = calls if cursor is None else calls.filter(key.after(cursor))
        rows = list(batch.order_by(*key.order_by()).values(*names)[:chunk])
        yield from rows
        if len(rows) < chunk:
            return
        last = rows[-1]
        cursor = Cursor(last[key.field], last["id"])
