"""PostgreSQL plans of the call history: no filter, alone or combined, reads billing_callrecord sequentially.

Runs only on PostgreSQL (the plans are PostgreSQL's). It generates 20,000
call records over a year for ten customers (each owns a tenth, as in a panel
of many customers), inserted in time order as the PBX would send them, adds
the indexes the history needs that the model does not have yet
(billing/history/indexes.py; once a migration adds them this creates
nothing), runs ANALYZE, then EXPLAINs every query the history page, its
totals, the CSV export and the queue statistics run for each filter.
"""

import json
import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.choices import CallDirection, Disposition
from billing.history import selectors
from billing.history.forms import HistoryFilters, Sort, day_start
from billing.history.indexes import PROPOSED_INDEXES, create_missing_indexes, missing_indexes
from billing.models import CallRecord
from billing.tests import factories
from panel.models import Customer
from panel.tests import factories as panel_factories
from pbx.stats.selectors import queue_statistics
from recordings.tests import factories as recordings_factories

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN plans are PostgreSQL's; this is SQLite"),
]

ROWS = 20_000
FIRST_DAY = date(2024, 4, 1)
DAYS = 365
TABLE = CallRecord._meta.db_table
MONTH = (day_start(date(2025, 2, 1)), day_start(date(2025, 3, 1)))
YEAR = (day_start(date(2024, 4, 1)), day_start(date(2025, 4, 1)))


@pytest.fixture(scope="module")
def history(django_db_setup, django_db_blocker):
    """20,000 calls of ten customers in time order, analysed; removed (with the indexes it added) afterwards."""
    with django_db_blocker.unblock():
        created = create_missing_indexes()
        owners = [panel_factories.customer(name=f"Explain {n}", prefix=f"explain{n:02d}") for n in range(10)]
        try:
            generate(owners)
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {TABLE}")
                cursor.execute("ANALYZE recordings_recording")
            yield owners[0]
        finally:
            Customer.objects.filter(pk__in=[owner.pk for owner in owners]).delete()
            with connection.schema_editor() as editor:
                for index in PROPOSED_INDEXES:
                    if index.name in created:
                        editor.remove_index(CallRecord, index)


def generate(owners):
    rng = random.Random(5)
    start = day_start(FIRST_DAY)
    step = timedelta(days=DAYS) / ROWS
    records = []
    for n in range(ROWS):
        answered = rng.random() < 0.8
        direction = rng.choice(
            [CallDirection.OUTBOUND, CallDirection.OUTBOUND, CallDirection.INBOUND, CallDirection.LOCAL]
        )
        records.append(
            factories.call_record(
                owners[n % len(owners)],
                save=False,
                started_at=start + step * n + timedelta(seconds=rng.randint(0, 30)),
                call_id=f"c{n}",
                direction=direction,
                caller=f"48{rng.randint(100000000, 999999999)}",
                callee=f"48{rng.randint(100000000, 999999999)}",
                extension=str(rng.randint(10, 40)),
                queue_number=rng.choice(["", "", "", "", "100", "200"]) if direction == CallDirection.INBOUND else "",
                disposition=Disposition.ANSWERED if answered else Disposition.NO_ANSWER,
                talk_seconds=rng.randint(1, 900),
                cost_net=None if rng.random() < 0.02 else Decimal(rng.randint(0, 500)) / 100,
            )
        )
    CallRecord.objects.bulk_create(records, batch_size=2000)
    recording_rows(owners[0], rng)


def recording_rows(customer, rng):
    calls = rng.sample(list(CallRecord.objects.for_customer(customer).values_list("call_id", "started_at")), 300)
    for call_id, started_at in calls:
        recordings_factories.recording(
            customer, call_id=call_id, started_at=started_at, direction="out", caller="48100", callee="48200"
        )


def sequential_scans(plan: dict) -> list[str]:
    found = []
    if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") == TABLE:
        found.append(plan.get("Filter", ""))
    for child in plan.get("Plans", []):
        found += sequential_scans(child)
    return found


def explain(sql: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        result = cursor.fetchone()[0]
    return (json.loads(result) if isinstance(result, str) else result)[0]["Plan"]


def assert_no_sequential_scan(run) -> int:
    """Run `run()`, EXPLAIN each query it sent to the call-record table and fail on any sequential scan."""
    with CaptureQueriesContext(connection) as captured:
        run()
    queries = [query["sql"] for query in captured.captured_queries if TABLE in query["sql"]]
    assert queries, "nothing was read from the call records"
    for sql in queries:
        plan = explain(sql)
        assert not sequential_scans(plan), f"sequential scan on {TABLE}:\n{sql}\n{json.dumps(plan, indent=1)[:3000]}"
    return len(queries)


FILTERS = {
    "no filter": {},
    "incoming": {"direction": CallDirection.INBOUND},
    "outgoing": {"direction": CallDirection.OUTBOUND},
    "internal": {"direction": CallDirection.LOCAL},
    "extension": {"extension": "17"},
    "number contains": {"number": "6001"},
    "answered": {"answered": "yes"},
    "unanswered": {"answered": "no"},
    "with recording": {"with_recording": True},
    "min cost": {"min_cost": Decimal("4.50")},
    "oldest first": {"sort": Sort.DATE_ASC},
    "most expensive first": {"sort": Sort.COST_DESC},
    "cheapest first": {"sort": Sort.COST_ASC},
    "incoming unanswered": {"direction": CallDirection.INBOUND, "answered": "no"},
    "extension and number": {"extension": "17", "number": "48"},
    "outgoing, min cost, recorded": {
        "direction": CallDirection.OUTBOUND,
        "min_cost": Decimal("1"),
        "with_recording": True,
    },
    "everything": {
        "direction": CallDirection.OUTBOUND,
        "extension": "17",
        "number": "4",
        "answered": "yes",
        "with_recording": True,
        "min_cost": Decimal("0.10"),
        "sort": Sort.COST_DESC,
    },
}


@pytest.mark.parametrize("name", list(FILTERS))
@pytest.mark.parametrize("period", ["month", "year"])
def test_history_page_totals_and_export_use_indexes(history, name, period):
    start, end = MONTH if period == "month" else YEAR
    filters = HistoryFilters(start=start, end=end, **FILTERS[name])

    def run():
        first = selectors.call_history_page(customer=history, filters=filters)
        if first.next_cursor:
            second = selectors.call_history_page(customer=history, filters=filters, after=first.next_cursor)
            if second.previous_cursor:
                selectors.call_history_page(customer=history, filters=filters, before=second.previous_cursor)
        selectors.call_history_totals(customer=history, filters=filters)
        next(iter(selectors.call_history_export_rows(customer=history, filters=filters, chunk=500)), None)

    assert assert_no_sequential_scan(run) >= 3


def test_a_deep_page_starts_at_the_cursor(history):
    filters = HistoryFilters(start=YEAR[0], end=YEAR[1])
    rows = list(
        selectors.call_history_queryset(customer=history, filters=filters)
        .order_by(*selectors.SORT_KEYS[Sort.DATE_DESC].order_by())
        .values_list("started_at", "id")
    )
    from billing.history.keyset import Cursor

    cursor = Cursor(*rows[1500]).encode("datetime")
    with CaptureQueriesContext(connection) as captured:
        page = selectors.call_history_page(customer=history, filters=filters, after=cursor)
    assert [row.pk for row in page.rows] == [pk for _started, pk in rows[1501:1526]]
    sql = next(query["sql"] for query in captured.captured_queries if TABLE in query["sql"])
    with connection.cursor() as db:
        db.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        result = db.fetchone()[0]
    plan = (json.loads(result) if isinstance(result, str) else result)[0]["Plan"]
    # The index walk starts at the cursor: it reads about one page of rows, not the 1,500 before it.
    scanned = max(node.get("Actual Rows", 0) for node in walk(plan))
    assert scanned <= 60, json.dumps(plan, indent=1)


def walk(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from walk(child)


@pytest.mark.parametrize("queue", ["", "100"])
def test_queue_statistics_use_indexes(history, queue):
    for start, end in (MONTH, YEAR):
        assert_no_sequential_scan(
            lambda start=start, end=end: queue_statistics(customer=history, start=start, end=end, queue_number=queue)
        )


def test_only_missing_indexes_are_created(history):
    assert missing_indexes() == []
    assert create_missing_indexes() == []  # all there now: nothing is created twice
    with connection.cursor() as cursor:
        names = set(connection.introspection.get_constraints(cursor, TABLE))
    assert {index.name for index in PROPOSED_INDEXES} <= names
