"""Rating of call records: price pending calls with the customer's tariff and debit the ledger, in bulk.

The prices come from the plain-Python engine (billing/rating.py); this module
reads and writes in bulk around it: one query for a batch of records, one
for their billable legs, and the legs' and records' results and the ledger
entries written together (`BulkWrites` in bulk.py: COPY and one statement on
PostgreSQL, prepared statements run for all rows on SQLite), all in the
batch's transaction, so a call's cost and its charge are written together
or not at all. Amounts stay whole grosz until they become the text the
database reads; no Decimal or model instance is made per row.

Repeating is safe: everything that writes rating results holds the
customer's rating lock (a PostgreSQL advisory lock), only records still
pending under it are written, and each call's charge carries the idempotency
key "call:<id>", so a retried or concurrent job never charges twice. A
customer's whole backlog is rated with pricing and writing overlapped
(`_rate_pipelined`): the job's thread prices while writer threads, on
connections of their own, write the batches priced before. A call that cannot be
priced is kept, flagged "unratable" with the reason, and charged nothing
until an operator re-rates it after fixing the tariff; re-rating corrects
the ledger by the difference with one new entry per changed call.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, connection, transaction
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
    Unratable,
    gross_grosz,
    grosz_to_pln,
    leg_seconds,
    rate_call,
    to_e164,
    vat_basis_points,
)
from billing.rating_service.bulk import BulkWrites, db_text, pln_text
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


RATE_READ_FIELDS = ("prefix", "destination", "price_per_minute", "connection_fee", "first_increment", "next_increment")


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
            return PrefixTable.from_stored(self._rates(prefix__in=candidates))
        if self._full is None:
            self._full = PrefixTable.from_stored(self._rates())
        return self._full

    def _rates(self, **filters) -> list[tuple]:
        """The tariff's entries as the arguments of `Rate.from_stored`."""
        rows = raw_rows(
            TariffRate.objects.filter(tariff=self.tariff, **filters).values_list(*RATE_READ_FIELDS).order_by()
        )
        if connection.vendor == "postgresql":
            return rows  # decimals arrive as Decimals
        return [
            (prefix, destination, as_decimal(price), as_decimal(fee), first, step)
            for prefix, destination, price, fee, first, step in rows
        ]


def call_records_rate(
    *,
    customer: Customer,
    call_ids: Iterable[int] | None = None,
    batch_size: int = BATCH_SIZE,
    now: datetime | None = None,
    pipelined: bool | None = None,
) -> RatingSummary:
    """Rate `customer`'s pending call records (the given ids, or all pending) and debit the ledger per call.

    Each batch is one transaction; records already rated (or locked by another
    worker) are skipped, so running this twice for the same ids charges once.
    All pending records of a customer are rated `pipelined` (pricing overlapped
    with writing, see `_rate_pipelined`) on PostgreSQL outside a transaction.
    """
    now = now or timezone.now()
    context = _Context(customer=customer, now=now)
    summary = RatingSummary()
    pending = CallRecord.objects.for_customer(customer).filter(rating_status=RatingStatus.PENDING).order_by("pk")
    if pipelined is None:
        # Another connection cannot see the rows of a transaction still open around this call (a test's).
        pipelined = call_ids is None and connection.vendor == "postgresql" and not connection.in_atomic_block
    with translation.override(settings.LANGUAGE_CODE):
        if call_ids is not None:
            ids = sorted(set(call_ids))
            for start in range(0, len(ids), batch_size):
                with transaction.atomic():
                    rating_lock(customer)
                    records = _read_pending(pending.filter(pk__in=ids[start : start + batch_size]))
                    summary.add(_rate_records(context, records))
        elif pipelined:
            summary.add(_rate_pipelined(context, pending, batch_size))
        else:
            last_id = 0
            while True:
                with transaction.atomic():
                    rating_lock(customer)
                    records = _read_pending(pending.filter(pk__gt=last_id)[:batch_size])
                    if not records:
                        break
                    summary.add(_rate_records(context, records))
                last_id = records[-1][0]
    return summary


def _rate_pipelined(context: _Context, pending, batch_size: int) -> RatingSummary:
    """Rate all of `pending` with pricing and writing overlapped: this thread reads and prices batch after
    batch while writer threads, each on its own connection, write the batches priced before.

    This thread's connection holds the customer's rating lock for the whole run, so no other job writes
    rating results meanwhile; a writer writes only those of a batch's records still pending (a job that
    had them before the run began may have rated some), with their charges, in the batch's transaction:
    the same guarantees as the sequential loop, with the database's time and this process's time spent
    side by side instead of one after the other.
    """
    writers = _Writers(context.customer, PIPELINE_WRITERS)
    # A writer mostly waits for the database; when an answer comes it should get the interpreter at once,
    # not after the pricing thread's default 5 ms turn, or the database waits for the next batch.
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(PIPELINE_SWITCH_INTERVAL)
    try:
        with rating_session_lock(context.customer):
            writers.start()
            try:
                last_id = 0
                while writers.healthy():
                    records = _read_pending(pending.filter(pk__gt=last_id)[:batch_size])
                    if not records or not writers.put(_price_records(context, records).prepare()):
                        break
                    last_id = records[-1][0]
            finally:
                writers.finish()
    finally:
        sys.setswitchinterval(switch_interval)
    return writers.summary


PIPELINE_WRITERS = 2  # batches written at the same time, on as many connections
PIPELINE_SWITCH_INTERVAL = 0.0005  # seconds


class _Writers:
    """The writing half of `_rate_pipelined`: threads that write priced batches, one transaction each."""

    def __init__(self, customer: Customer, count: int) -> None:
        self.customer = customer
        self.batches: queue.Queue[_PricedBatch] = queue.Queue(maxsize=count)
        self.closing = threading.Event()
        self.threads = [
            threading.Thread(target=self._run, name=f"rating-writer-{n}", daemon=True) for n in range(count)
        ]
        self.summary = RatingSummary()
        self.errors: list[BaseException] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def healthy(self) -> bool:
        return not self.errors and all(thread.is_alive() for thread in self.threads)

    def put(self, batch: _PricedBatch) -> bool:
        """Hand over a batch (waiting while the writers are busy); False if one of them stopped."""
        while self.healthy():
            try:
                self.batches.put(batch, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def finish(self) -> None:
        """Wait for every batch handed over to be written; raise what stopped a writer, if anything did."""
        self.closing.set()
        for thread in self.threads:
            thread.join()
        if self.errors:
            raise self.errors[0]

    def _run(self) -> None:
        try:
            while True:
                try:
                    batch = self.batches.get(timeout=0.05)
                except queue.Empty:
                    if self.closing.is_set():
                        return
                    continue
                if self.errors:
                    continue  # another writer failed: the run stops, leaving the rest pending
                with transaction.atomic():
                    # No rating lock here: the pricing thread's connection holds it for the whole run.
                    written = batch.write(locked=_still_pending(self.customer, batch.record_ids))
                with self._lock:
                    self.summary.add(written)
        except BaseException as error:  # noqa: BLE001 (handed to the pricing thread, which raises it)
            with self._lock:
                self.errors.append(error)
        finally:
            connection.close()  # this thread's own connection


def _still_pending(customer: Customer, record_ids: list[int]) -> set[int]:
    """Which of the records are still pending (read while the customer's rating lock is held)."""
    pending = (
        CallRecord.objects.for_customer(customer)
        .filter(rating_status=RatingStatus.PENDING, pk__range=(min(record_ids), max(record_ids)))
        .values_list("pk")
        .order_by()
    )
    # The range walks the rating index (status, customer, id), cheaper than looking up each id on its own.
    return {row[0] for row in raw_rows(pending)}.intersection(record_ids)


RATING_LOCK_SPACE = 0x52617465  # "Rate": the first key of the customer's advisory lock


def rating_lock(customer: Customer) -> None:
    """Take the customer's rating lock until the end of the transaction (PostgreSQL; SQLite has one writer).

    Everything that writes rating results (rating, re-rating) holds it, so what a batch reads of its
    records' status under it stays true until the batch commits: no two writers price the same call.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", _rating_lock_key(customer))


@contextmanager
def rating_session_lock(customer: Customer):
    """Hold the customer's rating lock (see `rating_lock`) on this connection until the block ends, across
    transactions: a pipelined run's writers, on connections of their own, write under it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", _rating_lock_key(customer))
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", _rating_lock_key(customer))
        except DatabaseError:
            connection.close()  # a session's end releases its locks; what went wrong before is what is raised


def _rating_lock_key(customer: Customer) -> list[int]:
    return [RATING_LOCK_SPACE, customer.pk & 0x7FFFFFFF]


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
    rating_lock(customer)
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
        VAT rate, as `LedgerEntry.build` makes it) for the call `record_id`; `ledger_constants` has the rest."""
        text = self.amount_text
        return (kind, text(net), text(gross - net), text(gross), reason, record_id, key)

    def ledger_constants(self) -> dict:
        """The values every entry of the run shares (see `charge_row`)."""
        return {"customer": self.customer.pk, "vat_rate": self.vat_rate_db, "created_at": self.now_db,
                "created_by": self.user_id}  # fmt: skip

    def rated_constants(self) -> dict:
        """The values every rated record of the run shares (besides its costs)."""
        return {"rating_status": RatingStatus.RATED.value, "rating_error": "", "rated_at": self.now_db}


def _read_pending(queryset) -> list[tuple]:
    """The batch's pending records, read under the customer's rating lock (`rating_lock`): no other job can
    rate them before this transaction ends, so they need no row locks of their own."""
    return raw_rows(queryset.values_list(*RECORD_READ_FIELDS))


RECORD_READ_FIELDS = ("pk", "caller", "callee", "started_at")


def _billable_legs(call_ids: list[int]) -> list[tuple]:
    """(id, call id, index, destination, talk seconds) of the calls' billable legs, in call and leg order.

    Written out rather than built by the ORM, which prepares each of the thousands of ids on its own.
    On PostgreSQL each call's legs are looked up by the (call, index) index: a lateral subquery kept
    apart by OFFSET 0, which the planner would otherwise join by scanning the whole table while its
    statistics say the table is small; and the database counts the talk seconds (as `leg_seconds`
    does: a started second counts) rather than sending two times per leg to be parsed here.
    """
    quote = connection.ops.quote_name
    column = {name: f"l.{quote(CallLeg._meta.get_field(name).column)}" for name in LEG_READ_FIELDS}
    table, call = quote(CallLeg._meta.db_table), quote(CallLeg._meta.get_field("call").column)
    index, billable = quote(CallLeg._meta.get_field("index").column), quote(CallLeg._meta.get_field("billable").column)
    ids = [int(pk) for pk in call_ids]
    if not ids:
        return []
    if connection.vendor == "postgresql":
        answered, ended = column["answered_at"], column["ended_at"]
        seconds = (
            f"CASE WHEN {answered} IS NULL OR {ended} <= {answered} THEN 0 "
            f"ELSE CEIL(EXTRACT(EPOCH FROM {ended} - {answered}))::integer END"
        )
        columns = ", ".join([column["id"], column["call"], column["index"], column["destination"], seconds])
        sql = (
            f"SELECT {columns} FROM unnest(%s::bigint[]) AS c(id) CROSS JOIN LATERAL "  # noqa: S608 (model names)
            f"(SELECT * FROM {table} WHERE {call} = c.id AND {billable} OFFSET 0) AS l ORDER BY l.{call}, l.{index}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [ids])
            return cursor.fetchall()
    sql = (
        f"SELECT {', '.join(column.values())} FROM {table} AS l "  # noqa: S608 (model names)
        f"WHERE l.{call} IN ({', '.join(['%s'] * len(ids))}) AND l.{billable} ORDER BY l.{call}, l.{index}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        return [
            (
                leg,
                call_id,
                position,
                destination,
                leg_seconds(as_datetime(answered), as_datetime(ended)) if answered else 0,
            )
            for leg, call_id, position, destination, answered, ended in cursor.fetchall()
        ]


LEG_READ_FIELDS = ("id", "call", "index", "destination", "answered_at", "ended_at")


def _rate_records(context: _Context, records: Sequence[tuple], *, charged: dict | None = None) -> RatingSummary:
    """Price `records` (pk, caller, callee, start) and write legs, records and ledger entries in bulk.

    `charged` (re-rating) maps a record id to (net charged so far, ledger entries so far); without it
    each rated call is charged its full cost under its idempotency key.
    """
    if not records:
        return RatingSummary()
    return _price_records(context, records, charged=charged).write()


@dataclass
class _PricedBatch:
    """The rows a batch of priced records writes (see `_price_records`), each list with the record id
    of every row beside it, so that a part of the batch can be written on its own."""

    record_ids: list[int]
    leg_rows: list[tuple]
    leg_records: list[int]
    rated_rows: list[tuple]
    unratable_rows: list[tuple]
    entries: list[tuple]
    entry_nets: list[int]  # the net amount in grosz of each entry
    skip_conflicts: bool
    rated_constants: dict
    ledger_constants: dict
    prepared: BulkWrites | None = None

    def prepare(self) -> _PricedBatch:
        """Render the whole batch's writes for the database now (in the pricing thread of a pipelined run)."""
        self.prepared = self._writes(self.leg_rows, self.rated_rows, self.unratable_rows, self.entries).prepare()
        return self

    def write(self, *, locked: set[int] | None = None) -> RatingSummary:
        """Write the batch (only the records in `locked`, when given) and say what was written."""
        leg_rows, rated_rows, unratable_rows = self.leg_rows, self.rated_rows, self.unratable_rows
        entries, entry_nets = self.entries, self.entry_nets
        if locked is None or len(locked) == len(self.record_ids):
            writes = self.prepared or self._writes(leg_rows, rated_rows, unratable_rows, entries)
        else:
            leg_rows = [row for row, record in zip(leg_rows, self.leg_records, strict=True) if record in locked]
            rated_rows = [row for row in rated_rows if row[0] in locked]
            unratable_rows = [row for row in unratable_rows if row[0] in locked]
            kept = [index for index, row in enumerate(entries) if row[_LEDGER_CALL] in locked]
            entries, entry_nets = [entries[index] for index in kept], [entry_nets[index] for index in kept]
            writes = self._writes(leg_rows, rated_rows, unratable_rows, entries)
        writes.apply()
        return RatingSummary(
            rated=len(rated_rows),
            unratable=len(unratable_rows),
            ledger_entries=len(entries),
            ledger_net=grosz_to_pln(sum(entry_nets)),
        )

    def _writes(self, leg_rows, rated_rows, unratable_rows, entries) -> BulkWrites:
        writes = BulkWrites()
        writes.update(CallLeg, LEG_RESULT_FIELDS, leg_rows)
        writes.update(CallRecord, RATED_FIELDS, rated_rows, constants=self.rated_constants)
        unratable = {"rating_status": RatingStatus.UNRATABLE.value}
        writes.update(CallRecord, ["rating_error"], unratable_rows, constants=unratable)
        # In a normal run an entry whose idempotency key exists was charged already: skip it, never charge twice.
        writes.insert(
            LedgerEntry, LEDGER_FIELDS, entries, constants=self.ledger_constants, skip_conflicts=self.skip_conflicts
        )
        return writes


def _price_records(context: _Context, records: Sequence[tuple], *, charged: dict | None = None) -> _PricedBatch:
    """Read the billable legs of `records` (pk, caller, callee, start), price them, and make the rows to write."""
    legs_by_call: dict[int, tuple[list[int], list[LegToRate]]] = {}
    destinations = set()
    for leg_id, call_id, index, destination, seconds in _billable_legs([record[0] for record in records]):
        call_legs = legs_by_call.get(call_id)
        if call_legs is None:
            call_legs = legs_by_call[call_id] = ([], [])
        call_legs[0].append(leg_id)
        call_legs[1].append(LegToRate(index, destination, seconds))
        destinations.add(destination)
    numbers = {to_e164(destination) for destination in destinations}
    numbers.discard(None)
    table = context.tariff.for_numbers(numbers) if destinations else None

    leg_rows, leg_records, rated_rows, unratable_rows, entries, entry_nets = [], [], [], [], [], []
    vat_points, text, free = context.vat_points, context.amount_text, (None, None)
    labels = _CallLabels()
    for record_id, caller, callee, started_at in records:
        leg_ids, legs = legs_by_call.get(record_id, free)
        if legs is None:  # no billable leg (incoming, internal): free
            rated_rows.append((record_id, "0.00", "0.00"))
            continue
        price = rate_call(legs, table, vat_points)
        if price.problem is not None:
            unratable_rows.append((record_id, _problem_text(price.problem, context)))
            continue
        for leg_id, leg in zip(leg_ids, price.legs, strict=True):
            price_text = None if leg.rate is None else str(leg.rate.price_per_minute)
            leg_rows.append((leg_id, leg.billed_seconds, leg.destination_name, price_text, text(leg.cost_grosz)))
            leg_records.append(record_id)
        net = price.net_grosz
        rated_rows.append((record_id, text(net), text(price.gross_grosz)))
        if charged is None:
            if net:  # the call's charge: the negated cost, under the call's idempotency key
                reason = labels.label(caller, callee, started_at)
                entries.append(context.charge_row(record_id, -net, -price.gross_grosz, f"call:{record_id}", reason))
                entry_nets.append(-net)
            continue
        correction = _correction(context, record_id, net, charged, labels.label(caller, callee, started_at))
        if correction is not None:
            entries.append(correction[1:])
            entry_nets.append(correction[0])
    return _PricedBatch(
        record_ids=[record[0] for record in records],
        leg_rows=leg_rows,
        leg_records=leg_records,
        rated_rows=rated_rows,
        unratable_rows=unratable_rows,
        entries=entries,
        entry_nets=entry_nets,
        skip_conflicts=charged is None,
        rated_constants=context.rated_constants(),
        ledger_constants=context.ledger_constants(),
    )


LEG_RESULT_FIELDS = ["billed_seconds", "destination_name", "rate_per_minute", "cost_net"]
RATED_FIELDS = ["cost_net", "cost_gross"]  # and `_Context.rated_constants`
LEDGER_FIELDS = ["kind", "amount_net", "amount_vat", "amount_gross", "reason", "call", "idempotency_key"]
_LEDGER_CALL = LEDGER_FIELDS.index("call")


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
