"""Rating of call records: price pending calls with the customer's tariff and debit the ledger, in bulk.

The prices come from the plain-Python engine (billing/rating.py); this module
reads and writes in bulk around it: one query for a batch of records, one
for their billable legs, and the legs' and records' results and the ledger
entries written together (`BulkWrites`: COPY and one statement on
PostgreSQL, prepared statements run for all rows on SQLite), all in the
batch's transaction, so a call's cost and its charge are written together
or not at all. Amounts stay whole grosz until they become the text the
database reads; no Decimal or model instance is made per row.

Repeating is safe: only pending records are taken (locked, skipping rows
another worker holds), and each call's charge carries the idempotency key
"call:<id>", so a retried job never charges twice. A call that cannot be
priced is kept, flagged "unratable" with the reason, and charged nothing
until an operator re-rates it after fixing the tariff; re-rating corrects
the ledger by the difference with one new entry per changed call.
"""

from __future__ import annotations

import io
import re
import zlib
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

BATCH_SIZE = 2000
# Up to this many distinct destinations in a batch, only their possible prefixes are read from the tariff
# (a few rows by the unique index), so a job for one new call does not load 60,000 prefixes.
CANDIDATE_LOOKUP_LIMIT = 200


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
            Rate.from_stored(prefix, destination, as_decimal(price), as_decimal(fee), first, step)
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
    """What every batch of one run shares: the customer, its tariff and VAT, the time, who asked.

    Values that go into every written row are rendered for the driver once here (see `BulkWrites`).
    """

    def __init__(self, *, customer: Customer, now: datetime, user: User | None = None) -> None:
        self.customer = customer
        self.now = now
        self.user = user
        self.tariff = TariffTable(tariff_for_customer(customer=customer))
        self.vat_points = vat_basis_points(customer.vat_rate)
        self.now_db = db_text(LedgerEntry._meta.get_field("created_at").get_db_prep_save(now, connection))
        self.vat_rate_db = str(customer.vat_rate)
        self.user_id = user.pk if user else None
        self._amount_texts: dict[int, str] = {}

    def amount_text(self, grosz: int) -> str:
        """`pln_text` of an amount, remembered for the run (the same few thousand amounts come back)."""
        text = self._amount_texts.get(grosz)
        if text is None:
            text = self._amount_texts[grosz] = pln_text(grosz)
        return text

    def charge_row(
        self, record_id: int, net: int, gross: int, key: str, reason: str, kind: str = LedgerKind.CALL.value
    ) -> tuple:
        """The values of LEDGER_FIELDS of an entry of `net` and `gross` grosz (gross half-up at the customer's
        VAT rate, as `LedgerEntry.build` makes it) for the call `record_id`."""
        text = self.amount_text
        return (
            self.customer.pk,
            kind,
            text(net),
            self.vat_rate_db,
            text(gross - net),
            text(gross),
            reason,
            record_id,
            key,
            self.now_db,
            self.user_id,
        )


def _claim(queryset) -> list[tuple]:
    """Lock the batch's rows (PostgreSQL skips rows another worker holds; SQLite serialises writers)."""
    return raw_rows(queryset.select_for_update(skip_locked=True).values_list("pk", "caller", "callee", "started_at"))


def _billable_legs(call_ids: list[int]) -> list[tuple]:
    """(id, call id, index, destination, answered, ended) of the calls' billable legs, in call and leg order.

    Written out rather than built by the ORM, which prepares each of the thousands of ids on its own.
    On PostgreSQL each call's legs are looked up by the (call, index) index: a lateral subquery kept
    apart by OFFSET 0, which the planner would otherwise join by scanning the whole table while its
    statistics say the table is small.
    """
    quote = connection.ops.quote_name
    columns = ", ".join(f"l.{quote(CallLeg._meta.get_field(name).column)}" for name in LEG_READ_FIELDS)
    table, call = quote(CallLeg._meta.db_table), quote(CallLeg._meta.get_field("call").column)
    index, billable = quote(CallLeg._meta.get_field("index").column), quote(CallLeg._meta.get_field("billable").column)
    ids = [int(pk) for pk in call_ids]
    if not ids:
        return []
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT {columns} FROM unnest(%s::bigint[]) AS c(id) CROSS JOIN LATERAL "  # noqa: S608 (model names)
            f"(SELECT * FROM {table} WHERE {call} = c.id AND {billable} OFFSET 0) AS l ORDER BY l.{call}, l.{index}"
        )
        params = [ids]
    else:
        sql = (
            f"SELECT {columns} FROM {table} AS l WHERE l.{call} IN ({', '.join(['%s'] * len(ids))}) "  # noqa: S608
            f"AND l.{billable} ORDER BY l.{call}, l.{index}"
        )
        params = ids
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


LEG_READ_FIELDS = ("id", "call", "index", "destination", "answered_at", "ended_at")


def _rate_records(context: _Context, records: Sequence[tuple], *, charged: dict | None = None) -> RatingSummary:
    """Price `records` (pk, caller, callee, start) and write legs, records and ledger entries in bulk.

    `charged` (re-rating) maps a record id to (net charged so far, ledger entries so far); without it
    each rated call is charged its full cost under its idempotency key.
    """
    summary = RatingSummary()
    if not records:
        return summary
    legs_by_call: dict[int, tuple[list[int], list[LegToRate]]] = {}
    destinations = set()
    for leg_id, call_id, index, destination, answered_at, ended_at in _billable_legs([record[0] for record in records]):
        seconds = leg_seconds(as_datetime(answered_at), as_datetime(ended_at)) if answered_at else 0
        call_legs = legs_by_call.get(call_id)
        if call_legs is None:
            call_legs = legs_by_call[call_id] = ([], [])
        call_legs[0].append(leg_id)
        call_legs[1].append(LegToRate(index, destination, seconds))
        destinations.add(destination)
    numbers = {to_e164(destination) for destination in destinations}
    numbers.discard(None)
    table = context.tariff.for_numbers(numbers) if destinations else None

    leg_rows, rated_rows, unratable_rows, entries = [], [], [], []
    rated, status, vat_points, booked = context.now_db, RatingStatus.RATED.value, context.vat_points, 0
    text, free = context.amount_text, (None, None)
    labels = _CallLabels()
    for record_id, caller, callee, started_at in records:
        leg_ids, legs = legs_by_call.get(record_id, free)
        if legs is None:  # no billable leg (incoming, internal): free
            rated_rows.append((record_id, "0.00", "0.00", status, "", rated))
            continue
        price = rate_call(legs, table, vat_points)
        if price.problem is not None:
            unratable_rows.append((record_id, RatingStatus.UNRATABLE.value, _problem_text(price.problem, context)))
            continue
        for leg_id, leg in zip(leg_ids, price.legs, strict=True):
            price_text = None if leg.rate is None else str(leg.rate.price_per_minute)
            leg_rows.append((leg_id, leg.billed_seconds, leg.destination_name, price_text, text(leg.cost_grosz)))
        net = price.net_grosz
        rated_rows.append((record_id, text(net), text(price.gross_grosz), status, "", rated))
        if charged is None:
            if net:  # the call's charge: the negated cost, under the call's idempotency key
                reason = labels.label(caller, callee, started_at)
                entries.append(context.charge_row(record_id, -net, -price.gross_grosz, f"call:{record_id}", reason))
                booked -= net
            continue
        correction = _correction(context, record_id, net, charged, labels.label(caller, callee, started_at))
        if correction is not None:
            entries.append(correction[1:])
            booked += correction[0]

    writes = BulkWrites()
    writes.update(CallLeg, LEG_RESULT_FIELDS, leg_rows)
    writes.update(CallRecord, RATED_FIELDS, rated_rows)
    writes.update(CallRecord, ["rating_status", "rating_error"], unratable_rows)
    # In a normal run an entry whose idempotency key exists was charged already: skip it, never charge twice.
    writes.insert(LedgerEntry, LEDGER_FIELDS, entries, skip_conflicts=charged is None)
    writes.apply()
    summary.rated = len(rated_rows)
    summary.unratable = len(unratable_rows)
    summary.ledger_entries = len(entries)
    summary.ledger_net = grosz_to_pln(booked)
    return summary


LEG_RESULT_FIELDS = ["billed_seconds", "destination_name", "rate_per_minute", "cost_net"]
RATED_FIELDS = ["cost_net", "cost_gross", "rating_status", "rating_error", "rated_at"]
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


def _correction(context: _Context, record_id: int, net: int, charged: dict, reason: str) -> tuple | None:
    """Re-rating: the net amount in grosz, then the values of LEDGER_FIELDS, of the entry that brings what the
    call was charged to its new net cost `net` (grosz); None when nothing changes."""
    charged_net, entry_count = charged.get(record_id, (Decimal("0"), 0))
    amount = -(net - int(charged_net * 100))
    if not amount:
        return None
    if entry_count == 0:
        kind, key = LedgerKind.CALL.value, f"call:{record_id}"
    else:
        # Counted under the call's row lock: a retry after a rollback gets the same key.
        kind, key = LedgerKind.ADJUSTMENT.value, f"call:{record_id}:correction:{entry_count}"
        reason = _("Re-rating: %(call)s") % {"call": reason}
    row = context.charge_row(record_id, amount, gross_grosz(amount, context.vat_points), key, reason, kind=kind)
    return (amount, *row)


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


def pln_text(grosz: int) -> str:
    """An amount in whole grosz as the text of a DecimalField value ("-0.24"): what the drivers make of a
    Decimal, without making one (several per call add up to a good share of a bulk run)."""
    if grosz < 0:
        grosz = -grosz
        return f"-{grosz // 100}.{grosz % 100:02d}"
    return f"{grosz // 100}.{grosz % 100:02d}"


def db_text(value) -> str | None:
    """A time prepared for the database (`get_db_prep_save`) as text, so the driver need not adapt it per row."""
    return value.isoformat() if isinstance(value, datetime) else value


class BulkWrites:
    """Many rows to update and to insert, in several tables, written together by `apply()` without model
    instances: the writes of one rating batch.

    Values go to the driver as they are: str, int, bool, Decimal, None, or an aware datetime; text the
    column's type accepts (`db_text`, `pln_text`) is cheapest for numbers and times.

    PostgreSQL: the rows are copied (COPY) into temporary staging tables, then one statement applies
    them all, each UPDATE … FROM its staging table a data-modifying WITH clause of the final INSERT …
    SELECT. A long VALUES list, or `bulk_update`'s CASE per row and field, costs the server several
    times more to parse than the writing itself. SQLite: one prepared single-row statement run for
    every row (`executemany`), cheaper there than anything longer.
    """

    def __init__(self) -> None:
        self.updates: list[tuple] = []
        self.inserts: list[tuple] = []

    def update(self, model, field_names: Sequence[str], rows: Sequence[tuple]) -> BulkWrites:
        """Set `field_names` of existing rows: `rows` are (pk, value, ...) in the order of `field_names`."""
        if rows:
            self.updates.append((model, [model._meta.get_field(name) for name in field_names], rows))
        return self

    def insert(
        self, model, field_names: Sequence[str], rows: Sequence[tuple], *, skip_conflicts: bool = False
    ) -> BulkWrites:
        """Insert `rows` (values in the order of `field_names`); `skip_conflicts` leaves out rows that a unique
        constraint already holds."""
        if rows:
            self.inserts.append((model, [model._meta.get_field(name) for name in field_names], rows, skip_conflicts))
        return self

    def apply(self) -> None:
        if connection.vendor == "postgresql":
            self._apply_staged()
            return
        quote = connection.ops.quote_name
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            for model, fields, rows in self.updates:
                assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
                table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
                update = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608 (names from the model)
                cursor.executemany(update, [(*row[1:], row[0]) for row in rows])
            for model, fields, rows, skip_conflicts in self.inserts:
                columns = ", ".join(quote(field.column) for field in fields)
                conflict = " ON CONFLICT DO NOTHING" if skip_conflicts else ""
                insert = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "  # noqa: S608 (model names)
                cursor.executemany(f"{insert}VALUES ({', '.join(['%s'] * len(fields))}){conflict}", rows)

    def _apply_staged(self) -> None:
        quote = connection.ops.quote_name
        staged = [(model, [model._meta.pk, *fields], rows) for model, fields, rows in self.updates]
        staged += [(model, fields, rows) for model, fields, rows, _skip in self.inserts]
        if not staged:
            return
        tables = [_staging_table(model, fields, position) for position, (model, fields, _rows) in enumerate(staged)]
        statements, params = [], []
        for (model, fields, rows), (staging, _layout) in zip(self.updates, tables[: len(self.updates)], strict=True):
            table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
            assignments = ", ".join(f"{quote(field.column)} = s.{quote(field.column)}" for field in fields)
            # The redundant range keeps each plan a walk of the primary key even where statistics are thin.
            statements.append(
                f"UPDATE {table} SET {assignments} FROM {staging} AS s "  # noqa: S608 (names from the models)
                f"WHERE {table}.{pk} = s.{pk} AND {table}.{pk} BETWEEN %s AND %s"
            )
            params += [min(row[0] for row in rows), max(row[0] for row in rows)]
        for (model, fields, _rows, skip_conflicts), (staging, _layout) in zip(
            self.inserts, tables[len(self.updates) :], strict=True
        ):
            columns = ", ".join(quote(field.column) for field in fields)
            conflict = " ON CONFLICT DO NOTHING" if skip_conflicts else ""
            table = quote(model._meta.db_table)
            statements.append(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging}{conflict}")  # noqa: S608
        # One statement: every write but the last is a data-modifying WITH clause of the last.
        *clauses, last = statements
        written = ", ".join(f"w{position} AS ({clause})" for position, clause in enumerate(clauses))
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            cursor.execute(
                "".join(
                    f"CREATE TEMPORARY TABLE IF NOT EXISTS {name} ({layout}) ON COMMIT DELETE ROWS; "  # noqa: S608
                    f"DELETE FROM {name};"
                    for name, layout in tables
                )
            )
            for (name, _layout), (_model, fields, rows) in zip(tables, staged, strict=True):
                _copy(cursor, name, ", ".join(quote(field.column) for field in fields), rows)
            cursor.execute(f"WITH {written} {last}" if written else last, params)


def _staging_table(model, fields: Sequence, position: int) -> tuple[str, str]:
    """The name and column list of the temporary table that stages rows of `model` with `fields`' columns as
    the `position`-th part of a `BulkWrites`.

    Created once per database session; its rows go at commit, and each use starts by emptying it
    (a transaction may stage several batches).
    """
    quote = connection.ops.quote_name
    layout = ", ".join(f"{quote(field.column)} {field.db_type(connection)}" for field in fields)
    return quote(f"staging_{model._meta.db_table}_{position}_{zlib.crc32(layout.encode()):08x}"), layout


def bulk_insert(model, field_names: Sequence[str], rows: Sequence[tuple], *, skip_conflicts: bool = False) -> None:
    """Insert many rows given as value tuples in the order of `field_names` (the benchmark's set-up, too)."""
    BulkWrites().insert(model, field_names, rows, skip_conflicts=skip_conflicts).apply()


def _copy(cursor, table: str, columns: str, rows: Sequence[tuple]) -> None:
    """COPY `rows` into `table` (quoted names) in PostgreSQL's text format."""
    separators = columns.count(",")
    lines = []
    for row in rows:
        # Nearly every row is plain: its values' own text, none of it needing an escape.
        line = "\t".join(map(str, row))
        if line.count("\t") != separators or _COPY_SPECIAL_BUT_TAB.search(line):
            line = "\t".join(map(_copy_value, row))
        elif None in row:
            line = "\t".join([_NULL if value is None else str(value) for value in row])
        lines.append(line)
    lines.append("")
    text = "\n".join(lines)
    # In one read rather than the driver's 8 KB pieces, each a call back into Python.
    cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", io.StringIO(text), size=max(len(text), 8192))


_NULL = "\\N"
_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
_COPY_SPECIAL_BUT_TAB = re.compile(r"[\\\n\r]")
_COPY_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _copy_value(value) -> str:
    """One value in COPY's text format: \\N for NULL, t/f, and text with its backslash escapes."""
    if value.__class__ is str:
        return (
            _COPY_SPECIAL.sub(lambda match: _COPY_ESCAPES[match.group()], value)
            if _COPY_SPECIAL.search(value)
            else value
        )
    if value is None:
        return _NULL
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)
