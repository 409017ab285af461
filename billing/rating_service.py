"""Rating of call records: price pending calls with the customer's tariff and debit the ledger, in bulk.

The prices come from the plain-Python engine (billing/rating.py); this module
reads and writes in bulk around it: one query for a batch of records, one
for their billable legs, one UPDATE … FROM (VALUES …) per table and one
multi-row INSERT of ledger entries, all in the batch's transaction, so a
call's cost and its charge are written together or not at all.

Repeating is safe: only pending records are taken (locked, skipping rows
another worker holds), and each call's charge carries the idempotency key
"call:<id>", so a retried job never charges twice. A call that cannot be
priced is kept, flagged "unratable" with the reason, and charged nothing
until an operator re-rates it after fixing the tariff; re-rating corrects
the ledger by the difference with one new entry per changed call.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from billing.choices import LedgerKind, RatingStatus
from billing.models import CallLeg, CallRecord, LedgerEntry, Tariff, TariffRate
from billing.rating import (
    NO_TARIFF,
    NOT_PUBLIC_NUMBER,
    CallPrice,
    LegToRate,
    PrefixTable,
    Rate,
    Unratable,
    gross_grosz,
    grosz_to_pln,
    leg_seconds,
    rate_call,
    to_e164,
    vat_basis_points,
)
from billing.selectors import tariff_for_customer
from panel.models import Customer, User

BATCH_SIZE = 1000
# Up to this many distinct destinations in a batch, only their possible prefixes are read from the tariff
# (a few rows by the unique index), so a job for one new call does not load 60,000 prefixes.
CANDIDATE_LOOKUP_LIMIT = 200
UPDATE_CHUNK = 500


@dataclass
class RatingSummary:
    """What a rating run did, for the job's result and the operator's message."""

    rated: int = 0
    unratable: int = 0
    ledger_entries: int = 0
    ledger_net: Decimal = Decimal("0.00")  # net sum of the entries written (charges negative)

    def add(self, other: RatingSummary) -> None:
        self.rated += other.rated
        self.unratable += other.unratable
        self.ledger_entries += other.ledger_entries
        self.ledger_net += other.ledger_net


class TariffTable:
    """A customer's tariff as prefix tables, read only as far as a batch needs."""

    def __init__(self, tariff: Tariff | None) -> None:
        self.tariff = tariff
        self._full: PrefixTable | None = None

    def for_numbers(self, numbers: set[str]) -> PrefixTable | None:
        if self.tariff is None:
            return None
        if self._full is None and len(numbers) <= CANDIDATE_LOOKUP_LIMIT:
            candidates = {number[:length] for number in numbers for length in range(1, len(number) + 1)}
            return PrefixTable(self._rates(prefix__in=candidates))
        if self._full is None:
            self._full = PrefixTable(self._rates())
        return self._full

    def _rates(self, **filters) -> list[Rate]:
        rows = TariffRate.objects.filter(tariff=self.tariff, **filters).values_list(
            "prefix", "destination", "price_per_minute", "connection_fee", "first_increment", "next_increment"
        )
        return [
            Rate(prefix, destination, as_decimal(price), as_decimal(fee), first, step)
            for prefix, destination, price, fee, first, step in raw_rows(rows.order_by())
        ]


def call_records_rate(
    *,
    customer: Customer,
    call_ids: Iterable[int] | None = None,
    batch_size: int = BATCH_SIZE,
    now: datetime | None = None,
) -> RatingSummary:
    """Rate `customer`'s pending call records (the given ids, or all pending) and debit the ledger per call.

    Each batch is one transaction; records already rated (or locked by another
    worker) are skipped, so running this twice for the same ids charges once.
    """
    now = now or timezone.now()
    context = _Context(customer=customer, now=now)
    summary = RatingSummary()
    pending = CallRecord.objects.for_customer(customer).filter(rating_status=RatingStatus.PENDING).order_by("pk")
    with translation.override(settings.LANGUAGE_CODE):
        if call_ids is not None:
            ids = sorted(set(call_ids))
            for start in range(0, len(ids), batch_size):
                with transaction.atomic():
                    records = _claim(pending.filter(pk__in=ids[start : start + batch_size]))
                    summary.add(_rate_records(context, records))
        else:
            last_id = 0
            while True:
                with transaction.atomic():
                    records = _claim(pending.filter(pk__gt=last_id)[:batch_size])
                    if not records:
                        break
                    summary.add(_rate_records(context, records))
                last_id = records[-1][0]
    return summary


@transaction.atomic
def call_records_rerate(
    *, customer: Customer, call_ids: Iterable[int], user: User | None = None, now: datetime | None = None
) -> RatingSummary:
    """Price the given calls again with the current tariff (an operator's explicit action after a tariff fix).

    The ledger is corrected by the difference between the new cost and what
    was charged so far for each call, with one new entry per changed call;
    repeating it with an unchanged tariff changes nothing. A call that still
    cannot be priced stays flagged and keeps what it was charged.
    """
    now = now or timezone.now()
    ids = sorted(set(call_ids))
    context = _Context(customer=customer, now=now, user=user)
    summary = RatingSummary()
    with translation.override(settings.LANGUAGE_CODE):
        for start in range(0, len(ids), BATCH_SIZE):
            chunk = ids[start : start + BATCH_SIZE]
            records = list(
                CallRecord.objects.for_customer(customer)
                .filter(pk__in=chunk)
                .select_for_update()
                .order_by("pk")
                .values_list("pk", "caller", "callee", "started_at")
            )
            charged = {
                row["call"]: (-row["total"], row["count"])
                for row in LedgerEntry.objects.for_customer(customer)
                .filter(call__in=chunk)
                .values("call")
                .annotate(total=Sum("amount_net"), count=Count("pk"))
                .order_by()
            }
            summary.add(_rate_records(context, records, charged=charged))
    return summary


class _Context:
    """What every batch of one run shares: the customer, its tariff and VAT, the time, who asked."""

    def __init__(self, *, customer: Customer, now: datetime, user: User | None = None) -> None:
        self.customer = customer
        self.now = now
        self.user = user
        self.tariff = TariffTable(tariff_for_customer(customer=customer))
        self.vat_points = vat_basis_points(customer.vat_rate)
        self.now_db = LedgerEntry._meta.get_field("created_at").get_db_prep_save(now, connection)


def _claim(queryset) -> list[tuple]:
    """Lock the batch's rows (PostgreSQL skips rows another worker holds; SQLite serialises writers)."""
    return raw_rows(queryset.select_for_update(skip_locked=True).values_list("pk", "caller", "callee", "started_at"))


def _rate_records(context: _Context, records: Sequence[tuple], *, charged: dict | None = None) -> RatingSummary:
    """Price `records` (pk, caller, callee, start) and write legs, records and ledger entries in bulk.

    `charged` (re-rating) maps a record id to (net charged so far, ledger entries so far); without it
    each rated call is charged its full cost under its idempotency key.
    """
    summary = RatingSummary()
    if not records:
        return summary
    legs_by_call: dict[int, list[tuple[int, LegToRate]]] = defaultdict(list)
    legs = (
        CallLeg.objects.filter(call__in=[record[0] for record in records], billable=True)
        .order_by("call", "index")
        .values_list("pk", "call", "index", "destination", "answered_at", "ended_at")
    )
    numbers = set()
    for leg_id, call_id, index, destination, answered_at, ended_at in raw_rows(legs):
        seconds = leg_seconds(as_datetime(answered_at), as_datetime(ended_at)) if answered_at else 0
        legs_by_call[call_id].append((leg_id, LegToRate(index, destination, seconds)))
        numbers.add(to_e164(destination))
    numbers.discard(None)
    table = context.tariff.for_numbers(numbers)

    leg_rows, rated_rows, unratable_rows, entries = [], [], [], []
    rated, status = context.now_db, RatingStatus.RATED.value
    labels = _CallLabels()
    for record_id, caller, callee, started_at in records:
        call_legs = legs_by_call.get(record_id, ())
        price = rate_call([leg for _leg_id, leg in call_legs], table, context.vat_points)
        if price.problem is not None:
            unratable_rows.append((record_id, RatingStatus.UNRATABLE.value, _problem_text(price.problem, context)))
            continue
        for (leg_id, _leg), leg in zip(call_legs, price.legs, strict=True):
            rate = leg.rate
            cost = grosz_to_pln(leg.cost_grosz)
            leg_rows.append((leg_id, leg.billed_seconds, leg.destination_name, rate and rate.price_per_minute, cost))
        rated_rows.append((record_id, price.cost_net, price.cost_gross, status, "", rated))
        entry = _ledger_row(context, record_id, price, (caller, callee, started_at), charged, labels)
        if entry is not None:
            entries.append(entry)

    bulk_set(CallLeg, LEG_RESULT_FIELDS, leg_rows)
    bulk_set(CallRecord, ["cost_net", "cost_gross", "rating_status", "rating_error", "rated_at"], rated_rows)
    bulk_set(CallRecord, ["rating_status", "rating_error"], unratable_rows)
    # In a normal run an entry whose idempotency key exists was charged already: skip it, never charge twice.
    bulk_insert(LedgerEntry, LEDGER_FIELDS, entries, skip_conflicts=charged is None)
    summary.rated = len(rated_rows)
    summary.unratable = len(unratable_rows)
    summary.ledger_entries = len(entries)
    summary.ledger_net = sum((entry[2] for entry in entries), Decimal("0.00"))
    return summary


LEG_RESULT_FIELDS = ["billed_seconds", "destination_name", "rate_per_minute", "cost_net"]
LEDGER_FIELDS = [
    "customer",
    "kind",
    "amount_net",
    "vat_rate",
    "amount_vat",
    "amount_gross",
    "reason",
    "call",
    "idempotency_key",
    "created_at",
    "created_by",
]


def _ledger_row(
    context: _Context, record_id: int, price: CallPrice, call: tuple, charged: dict | None, labels: _CallLabels
) -> tuple | None:
    """The values of LEDGER_FIELDS for the call's charge, or its correction when re-rating; None when nothing
    is owed. Amounts as `LedgerEntry.build` makes them (VAT half-up at the customer's rate) from whole grosz."""
    if charged is None:
        if not price.net_grosz:
            return None
        net, kind, key, reason = -price.net_grosz, LedgerKind.CALL.value, f"call:{record_id}", labels.label(*call)
    else:
        charged_net, entry_count = charged.get(record_id, (Decimal("0"), 0))
        difference = price.net_grosz - int(charged_net * 100)
        if not difference:
            return None
        net, reason = -difference, labels.label(*call)
        if entry_count == 0:
            kind, key = LedgerKind.CALL.value, f"call:{record_id}"
        else:
            # Counted under the call's row lock: a retry after a rollback gets the same key.
            kind, key = LedgerKind.ADJUSTMENT.value, f"call:{record_id}:correction:{entry_count}"
            reason = _("Re-rating: %(call)s") % {"call": reason}
    gross = gross_grosz(net, context.vat_points)
    user_id = context.user.pk if context.user else None
    return (
        context.customer.pk,
        kind,
        grosz_to_pln(net),
        context.customer.vat_rate,
        grosz_to_pln(gross - net),
        grosz_to_pln(gross),
        reason,
        record_id,
        key,
        context.now_db,
        user_id,
    )


class _CallLabels:
    """The ledger's reason for a call's charge, e.g. "Połączenie 10 → +48501222333, 2025-01-31 10:15"."""

    def __init__(self) -> None:
        self.template = _("Call %(caller)s → %(callee)s, %(time)s")
        self.zone = timezone.get_current_timezone()

    def label(self, caller: str, callee: str, started_at) -> str:
        local = as_datetime(started_at).astimezone(self.zone)
        time = f"{local.year}-{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d}"
        return self.template % {"caller": caller, "callee": callee, "time": time}


def _problem_text(problem: Unratable, context: _Context) -> str:
    if problem.reason == NO_TARIFF:
        text = _("No tariff: the customer has none and there is no default tariff.")
    elif problem.reason == NOT_PUBLIC_NUMBER:
        text = _("Leg %(leg)s: %(number)s is not a public phone number, so it has no price.") % {
            "leg": problem.leg_index + 1,
            "number": problem.number,
        }
    else:
        text = _("Leg %(leg)s: no rate for %(number)s in the tariff %(tariff)s.") % {
            "leg": problem.leg_index + 1,
            "number": problem.number,
            "tariff": context.tariff.tariff,
        }
    return text[: CallRecord._meta.get_field("rating_error").max_length]


def raw_rows(queryset) -> list[tuple]:
    """The rows of a values_list() queryset as the driver returns them, without Django's per-value converters
    (SQLite's times stay text and its decimals floats: see `as_datetime`, `as_decimal`)."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # e.g. `__in=[]`: nothing can match
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def as_datetime(value) -> datetime:
    """A time from `raw_rows`: aware from PostgreSQL, naive UTC from SQLite (or its text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def as_decimal(value) -> Decimal:
    """A DecimalField value from `raw_rows` (SQLite keeps non-integers as floats; 4 decimals are exact in one)."""
    if isinstance(value, Decimal):
        return value
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def bulk_set(model, field_names: Sequence[str], rows: Sequence[tuple]) -> None:
    """Set `field_names` of many rows at once: rows are (pk, value, ...) in the order of `field_names`.

    Values go to the driver as they are: str, int, bool, Decimal (Django adapts it for SQLite) or None;
    prepare anything else (times) once with `field.get_db_prep_save`.

    One `UPDATE … SET … FROM (VALUES …)` per chunk (PostgreSQL, and SQLite since 3.33), where
    `bulk_update`'s CASE per row and field grows quadratically with the batch.
    """
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    typed = connection.vendor == "postgresql"  # VALUES columns are untyped there; SQLite stores by affinity

    def source(position: int, field) -> str:
        column = f"v.column{position + 2}"
        return f"CAST({column} AS {field.db_type(connection)})" if typed else column

    assignments = ", ".join(f"{quote(field.column)} = {source(i, field)}" for i, field in enumerate(fields))
    row_sql = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), UPDATE_CHUNK):
            chunk = rows[start : start + UPDATE_CHUNK]
            values_sql = ", ".join([row_sql] * len(chunk))
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {values_sql}) AS v "  # noqa: S608 (names from models)
                f"WHERE {table}.{quote(model._meta.pk.column)} = v.column1",
                [value for row in chunk for value in row],
            )


def bulk_insert(model, field_names: Sequence[str], rows: Sequence[tuple], *, skip_conflicts: bool = False) -> None:
    """Insert many rows given as value tuples in the order of `field_names`: one multi-row INSERT per chunk
    (no model instances; values as for `bulk_set`). `skip_conflicts` leaves out rows that a unique
    constraint already holds."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    conflict = " ON CONFLICT DO NOTHING" if skip_conflicts else ""
    with connection.cursor() as cursor:
        for start in range(0, len(rows), UPDATE_CHUNK):
            chunk = rows[start : start + UPDATE_CHUNK]
            params = [value for row in chunk for value in row]
            cursor.execute(
                f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "  # noqa: S608 (names from models)
                f"VALUES {', '.join([row_sql] * len(chunk))}{conflict}",
                params,
            )
