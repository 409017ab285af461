"""Benchmark of the call history (issue 5, "bench/billing"): the history half.

Generates call records over many customers with bulk inserts (COPY on
PostgreSQL, bulk INSERTs on SQLite; not the simulator), in time order over the
last 365 days as a PBX would send them. One customer, the one measured, owns
a larger share so that page 1,000 exists. Then it measures the server time
(the whole Django request: middleware, session, view, template) of:

- the first page of this month (which also counts this month's totals),
- a filtered page of this month (direction, extension, answered),
- page 1,000 of the last 365 days, reached by its cursor (or the deepest page there is),
- the totals of this month, and of the last 365 days (computed only on request),

each next to the bare SQL of the same rows as the baseline: the EXPLAIN
ANALYZE execution time of the queries the view sent to the call-record table
(PostgreSQL), or the time to run that SQL directly (SQLite). It prints the
ratio and checks the target: history pages under 50 ms at any depth (95th percentile).

The database is a throwaway SQLite file (the default; your development
database is not touched), or the one in DATABASE_URL (e.g. PostgreSQL), where
throwaway customers are created and removed afterwards (with --keep they and
their calls stay and a later run with the same --rows reuses them).

    python bench/billing_history.py [--rows 200000] [--customers N] [--share 0.05] [--repeat 15] [--keep]
    DATABASE_URL=postgres://... python bench/billing_history.py --rows 10000000 --customers 1000 --keep
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PREFIX = "benchhist"
PAGE_TARGET_MS = 50.0
DEEP_PAGE = 1000
COLUMNS = (
    "customer_id",
    "call_id",
    "started_at",
    "answered_at",
    "ended_at",
    "direction",
    "caller",
    "callee",
    "extension",
    "queue_number",
    "disposition",
    "talk_seconds",
    "cost_net",
    "cost_gross",
    "rating_status",
    "rating_error",
    "rated_at",
    "created_at",
)


def setup_django() -> str:
    if not os.environ.get("DATABASE_URL"):
        path = Path(tempfile.mkdtemp(prefix="centrala-bench-")) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        description = f"SQLite (throwaway file {path})"
    else:
        description = "DATABASE_URL"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "centrala.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if description.startswith("SQLite"):
        # A throwaway file: no need to wait for the disk on every commit (migrations are hundreds of them).
        from django.db.backends.signals import connection_created

        def unsynchronised(sender, connection, **kwargs):
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous = OFF")
                cursor.execute("PRAGMA journal_mode = MEMORY")

        connection_created.connect(unsynchronised, weak=False)
        connection.close()

    call_command("migrate", verbosity=0)
    from django.conf import settings

    settings.DEBUG = False  # as in production: with DEBUG every query is also logged and templates keep debug data
    return f"{description}, {connection.vendor}"


def generated_rows(*, customer_ids: list[int], rows: int, share: float, now: datetime, seed: int = 5):
    """Tuples in COLUMNS order, oldest first; `customer_ids[0]` gets `share` of them, the rest spread evenly."""
    rng = random.Random(seed)
    start = now - timedelta(days=365)
    step = (now - start) / rows
    others = customer_ids[1:] or customer_ids
    directions = ("out", "out", "in", "local")
    for n in range(rows):
        customer_id = customer_ids[0] if rng.random() < share else others[rng.randrange(len(others))]
        started = start + step * n
        direction = directions[rng.randrange(4)]
        answered = rng.random() < 0.8
        wait = rng.randint(1, 40)
        talk = rng.randint(1, 900) if answered else 0
        answered_at = started + timedelta(seconds=wait) if answered else None
        ended = (answered_at + timedelta(seconds=talk)) if answered else started + timedelta(seconds=wait)
        if rng.random() < 0.02:
            net = gross = None
            status = "pending"
        else:
            cents = rng.randint(0, 500) if direction == "out" else 0
            net = Decimal(cents) / 100
            gross = (net * Decimal("1.23")).quantize(Decimal("0.01"))
            status = "rated"
        yield (
            customer_id,
            f"b{n}",
            started,
            answered_at,
            ended,
            direction,
            f"48{rng.randint(100000000, 999999999)}" if direction == "in" else str(rng.randint(10, 40)),
            f"48{rng.randint(100000000, 999999999)}" if direction != "local" else str(rng.randint(10, 40)),
            str(rng.randint(10, 40)),
            ("100" if rng.random() < 0.5 else "200") if direction == "in" and rng.random() < 0.3 else "",
            "answered" if answered else "no_answer",
            talk,
            net,
            gross,
            status,
            "",
            None,
            started,
        )


def insert_rows(rows, *, total: int) -> float:
    """Bulk-insert the generated rows; returns rows per second."""
    from django.db import connection

    from billing.models import CallRecord

    table = CallRecord._meta.db_table
    started = time.perf_counter()
    batch = 100_000 if connection.vendor == "postgresql" else 20_000
    done = 0
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == batch:
            _insert_chunk(table, chunk)
            done += len(chunk)
            chunk = []
            print(f"\r  inserted {done:,} of {total:,}", end="", flush=True)
    if chunk:
        _insert_chunk(table, chunk)
        done += len(chunk)
    elapsed = time.perf_counter() - started
    print(f"\r  inserted {done:,} rows in {elapsed:.1f} s ({done / elapsed:,.0f} rows/s)")
    return done / elapsed


def _text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _insert_chunk(table: str, chunk: list[tuple]) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.StringIO("".join("\t".join(_text(value) for value in row) + "\n" for row in chunk))
            cursor.cursor.copy_expert(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN", buffer)
        else:
            from django.db.models import DateTimeField, DecimalField

            adapt_dt = DateTimeField().get_db_prep_value
            adapt_dec = DecimalField(max_digits=10, decimal_places=2).get_db_prep_value
            values = [
                tuple(
                    adapt_dt(value, connection)
                    if isinstance(value, datetime)
                    else adapt_dec(value, connection)
                    if isinstance(value, Decimal)
                    else value
                    for value in row
                )
                for row in chunk
            ]
            placeholders = ", ".join(["%s"] * len(COLUMNS))
            # Names are this module's constants; the values go as parameters.
            insert = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({placeholders})"  # noqa: S608
            cursor.executemany(insert, values)


def prepare(*, rows: int, customers: int, share: float):
    """The bench customers with their calls (reused when --keep left the same number behind) and a user."""
    from django.db import connection, transaction

    from billing.history.indexes import create_missing_indexes
    from billing.models import CallRecord
    from panel.models import Customer, User

    existing = list(Customer.objects.filter(prefix__startswith=PREFIX).order_by("prefix"))
    if existing and len(existing) == customers and CallRecord.objects.for_customer(existing[0]).exists():
        count = CallRecord.objects.filter(customer__in=existing).count()
        if count == rows:
            print(f"  reusing {count:,} call records of {len(existing)} bench customers")
            return existing, User.objects.get(username=f"{PREFIX}user"), []
    if existing:
        remove(existing, [])
    with transaction.atomic():
        owners = [Customer.objects.create(name=f"Bench {n}", prefix=f"{PREFIX}{n:05d}") for n in range(customers)]
        user = User(username=f"{PREFIX}user", customer=owners[0])
        user.set_unusable_password()
        user.save()
    now = datetime.now(UTC)
    insert_rows(
        generated_rows(customer_ids=[owner.pk for owner in owners], rows=rows, share=share, now=now), total=rows
    )
    created = create_missing_indexes()
    if created:
        print(f"  created the indexes the model lacks: {', '.join(created)}")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"VACUUM ANALYZE {CallRecord._meta.db_table}")
        else:
            cursor.execute("ANALYZE")
    return owners, user, created


def remove(owners, created_indexes) -> None:
    from django.db import connection

    from billing.history.indexes import PROPOSED_INDEXES
    from billing.models import CallRecord
    from panel.models import Customer, User

    ids = [owner.pk for owner in owners]
    with connection.cursor() as cursor:
        # One set-based DELETE (the ORM would load millions of rows to cascade); ids go as parameters.
        placeholders = ", ".join(["%s"] * len(ids))
        delete = f"DELETE FROM {CallRecord._meta.db_table} WHERE customer_id IN ({placeholders})"  # noqa: S608
        cursor.execute(delete, ids)
    User.objects.filter(customer__in=ids).delete()
    Customer.objects.filter(pk__in=ids).delete()
    with connection.schema_editor() as editor:
        for index in PROPOSED_INDEXES:
            if index.name in created_indexes:
                editor.remove_index(CallRecord, index)


def bare_sql_ms(queries: list[str], repeat: int) -> float:
    """The database's own time for these queries: EXPLAIN ANALYZE execution time, or a direct run on SQLite."""
    from django.db import connection

    totals = []
    for _ in range(repeat):
        total = 0.0
        with connection.cursor() as cursor:
            for sql in queries:
                if connection.vendor == "postgresql":
                    cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                    result = cursor.fetchone()[0]
                    plan = (json.loads(result) if isinstance(result, str) else result)[0]
                    total += plan["Execution Time"]
                else:
                    started = time.perf_counter()
                    cursor.execute(sql)
                    cursor.fetchall()
                    total += (time.perf_counter() - started) * 1000
        totals.append(total)
    return statistics.median(totals)


def measure(name: str, run, repeat: int) -> dict:
    """Median and 95th percentile of `run()` in ms, and the SQL it sent to the call-record table."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from billing.models import CallRecord

    with CaptureQueriesContext(connection) as captured:
        run()  # warm-up; also records the SQL for the baseline
    table = CallRecord._meta.db_table
    queries = [query["sql"] for query in captured.captured_queries if table in query["sql"]]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return {"name": name, "median": statistics.median(times), "p95": p95, "queries": queries}


def deep_cursor(*, customer, filters, page: int) -> tuple[str | None, int]:
    """The cursor that opens page `page` (or the deepest page there is), found once with OFFSET (setup only)."""
    from billing.history import selectors
    from billing.history.keyset import Cursor

    key = selectors.SORT_KEYS[filters.sort]
    calls = selectors.call_history_queryset(customer=customer, filters=filters).order_by(*key.order_by())
    count = calls.count()
    deepest = max(1, -(-count // selectors.PAGE_SIZE))
    page = min(page, deepest)
    if page == 1:
        return None, 1
    last_of_previous = calls.values_list(key.field, "id")[(page - 1) * selectors.PAGE_SIZE - 1]
    return Cursor(*last_of_previous).encode(key.kind), page


def run_bench(options) -> None:
    from urllib.parse import urlencode

    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from billing.history import selectors
    from billing.history.forms import HistoryFilters, day_start, this_month

    owners, user, created = prepare(rows=options.rows, customers=options.customers, share=options.share)
    customer = owners[0]
    try:
        # No test instrumentation of the templates: the timings are those of a real request.
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        url = reverse("billing:call_history")
        first, last = this_month()
        today = timezone.localdate()
        year_from = today - timedelta(days=364)
        month = {"date_from": first.isoformat(), "date_to": last.isoformat()}
        year = {"date_from": year_from.isoformat(), "date_to": today.isoformat()}
        month_filters = HistoryFilters(start=day_start(first), end=day_start(last + timedelta(days=1)))
        year_filters = HistoryFilters(start=day_start(year_from), end=day_start(today + timedelta(days=1)))
        cursor, page = deep_cursor(customer=customer, filters=year_filters, page=DEEP_PAGE)
        month_count = selectors.call_history_totals(customer=customer, filters=month_filters).count
        year_count = selectors.call_history_totals(customer=customer, filters=year_filters).count
        print(
            f"  measured customer: {year_count:,} calls in the last 365 days, {month_count:,} this month; "
            f"deep page: {page:,}"
        )

        def get(params):
            def run():
                response = client.get(url + "?" + urlencode(params))
                assert response.status_code == 200, response.status_code
                assert b"history-table" in response.content

            return run

        filtered = {**month, "direction": "out", "extension": "17", "answered": "yes"}
        deep = {**year, "after": cursor} if cursor else year
        results = [
            measure("first page, this month (+ totals)", get(month), options.repeat),
            measure("filtered page, this month (+ totals)", get(filtered), options.repeat),
            measure(f"page {page:,} of 365 days via cursor", get(deep), options.repeat),
            measure(
                "totals, this month",
                lambda: selectors.call_history_totals(customer=customer, filters=month_filters),
                options.repeat,
            ),
            measure(
                "totals, 365 days (on request)",
                lambda: selectors.call_history_totals(customer=customer, filters=year_filters),
                options.repeat,
            ),
        ]
        print()
        print(f"{'':40} {'server ms':>10} {'p95 ms':>9} {'bare SQL ms':>12} {'ratio':>7}  target")
        for result in results:
            baseline = bare_sql_ms(result["queries"], max(3, options.repeat // 3))
            ratio = result["median"] / baseline if baseline > 0 else float("inf")
            verdict = ""
            if "page" in result["name"]:  # judged by the 95th percentile, not only the median
                verdict = "ok" if result["p95"] < PAGE_TARGET_MS else f"p95 over {PAGE_TARGET_MS:.0f} ms"
            print(
                f"{result['name']:40} {result['median']:10.2f} {result['p95']:9.2f} {baseline:12.2f} "
                f"{ratio:6.1f}x  {verdict}"
            )
        print(
            "\nserver ms: the whole request in Django (median); bare SQL: the database's time for the same "
            "queries on the call-record table"
        )
    finally:
        if not options.keep:
            remove(owners, created)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000, help="call records to generate (default 200,000)")
    parser.add_argument("--customers", type=int, default=None, help="default: one per 10,000 rows, 10 to 1,000")
    parser.add_argument("--share", type=float, default=0.05, help="the measured customer's share of the rows")
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per measurement")
    parser.add_argument("--keep", action="store_true", help="keep the generated rows for the next run")
    options = parser.parse_args()
    if options.customers is None:
        options.customers = max(10, min(1000, options.rows // 10_000))
    database = setup_django()
    print(f"Database: {database}; {options.rows:,} call records over {options.customers:,} customers")
    run_bench(options)


if __name__ == "__main__":
    main()
