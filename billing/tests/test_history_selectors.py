"""Call history reads: each filter, combinations, keyset pages without gaps or duplicates, totals, tenancy."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.choices import CallDirection, Disposition
from billing.history import selectors
from billing.history.forms import HistoryFilterForm, HistoryFilters, Sort, day_start
from billing.history.keyset import Cursor
from billing.models import CallRecord
from billing.tests import factories
from recordings.tests import factories as recordings_factories

pytestmark = pytest.mark.django_db

MARCH = (day_start(date(2025, 3, 1)), day_start(date(2025, 4, 1)))


def march(day: int, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    return day_start(date(2025, 3, day)) + timedelta(hours=hour, minutes=minute, seconds=second)


def filters(**kwargs) -> HistoryFilters:
    return HistoryFilters(start=MARCH[0], end=MARCH[1], **kwargs)


def ids(customer, **kwargs) -> set[int]:
    return set(
        selectors.call_history_queryset(customer=customer, filters=filters(**kwargs)).values_list("id", flat=True)
    )


@pytest.fixture
def calls(customer, other_customer):
    """A small month of calls of customer A, and B's calls that match every filter."""
    made = {
        "out_mobile": factories.call_record(customer, started_at=march(3), callee="48600100200", cost_net="0.55"),
        "out_landline": factories.call_record(customer, started_at=march(4), callee="48223334455", extension="11"),
        "in_answered": factories.call_record(
            customer,
            started_at=march(5),
            direction=CallDirection.INBOUND,
            caller="48601999888",
            callee="48943401128",
            cost_net="0.00",
        ),
        "in_missed": factories.call_record(
            customer,
            started_at=march(6),
            direction=CallDirection.INBOUND,
            caller="48500400300",
            callee="48943401128",
            disposition=Disposition.NO_ANSWER,
            cost_net="0.00",
        ),
        "local": factories.call_record(customer, started_at=march(7), direction=CallDirection.LOCAL, callee="11"),
        "unrated": factories.call_record(customer, started_at=march(8), cost_net=None, callee="48600100201"),
        "february": factories.call_record(customer, started_at=day_start(date(2025, 2, 28)) + timedelta(hours=23)),
        "april": factories.call_record(customer, started_at=day_start(date(2025, 4, 1))),
    }
    for key in ("out_mobile", "in_answered", "in_missed"):
        twin = factories.call_record(
            other_customer,
            started_at=made[key].started_at,
            direction=made[key].direction,
            caller=made[key].caller,
            callee=made[key].callee,
            extension=made[key].extension,
            disposition=made[key].disposition,
            cost_net=made[key].cost_net,
        )
        made[f"other_{key}"] = twin
    return made


def pks(calls, *names) -> set[int]:
    return {calls[name].pk for name in names}


def test_the_period_is_warsaw_days_start_inclusive_end_exclusive(customer, calls):
    # 28 Feb 23:00 and 1 Apr 00:00 Warsaw time are outside March; everything of March is in.
    assert ids(customer) == pks(calls, "out_mobile", "out_landline", "in_answered", "in_missed", "local", "unrated")


def test_the_last_evening_of_the_month_in_warsaw_belongs_to_it(customer):
    late = factories.call_record(customer, started_at=datetime(2025, 3, 31, 21, 30, tzinfo=UTC))  # 23:30 CEST
    early_april = factories.call_record(customer, started_at=datetime(2025, 3, 31, 22, 30, tzinfo=UTC))
    assert ids(customer) == {late.pk}
    assert early_april.pk not in ids(customer)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"direction": CallDirection.INBOUND}, {"in_answered", "in_missed"}),
        ({"direction": CallDirection.OUTBOUND}, {"out_mobile", "out_landline", "unrated"}),
        ({"direction": CallDirection.LOCAL}, {"local"}),
        ({"extension": "11"}, {"out_landline"}),
        ({"number": "600100"}, {"out_mobile", "unrated"}),
        ({"number": "601999"}, {"in_answered"}),  # the caller's number
        ({"number": "943401128"}, {"in_answered", "in_missed"}),  # the callee's number
        ({"answered": "yes"}, {"out_mobile", "out_landline", "in_answered", "local", "unrated"}),
        ({"answered": "no"}, {"in_missed"}),
        ({"min_cost": Decimal("0.10")}, {"out_mobile"}),
        ({"min_cost": Decimal("0.05")}, {"out_mobile", "out_landline", "local"}),
        ({"min_cost": Decimal("0")}, {"out_mobile", "out_landline", "in_answered", "in_missed", "local"}),
    ],
)
def test_each_filter_alone(customer, calls, kwargs, expected):
    assert ids(customer, **kwargs) == pks(calls, *expected)


def test_filters_combine(customer, calls):
    assert ids(customer, direction=CallDirection.INBOUND, answered="yes") == pks(calls, "in_answered")
    assert ids(customer, direction=CallDirection.OUTBOUND, number="600", min_cost=Decimal("0.01")) == pks(
        calls, "out_mobile"
    )
    assert ids(customer, extension="11", answered="no") == set()
    assert ids(customer, direction=CallDirection.INBOUND, number="500400", answered="no", extension="10") == pks(
        calls, "in_missed"
    )


def test_with_recording_filter_uses_the_customers_recordings(customer, other_customer, calls):
    def recording(owner, call, name):
        return recordings_factories.recording(
            owner,
            call_id=call.call_id,
            started_at=call.started_at,
            direction="out",
            caller=call.caller,
            callee=call.callee,
            path=f"{owner.prefix}/2025/03/0{call.started_at.day}/{name}.mp3",
        )

    recording(customer, calls["out_landline"], "a")
    # Another customer's recording with the same call id must not mark A's call as recorded.
    recording(other_customer, calls["in_answered"], "b")
    CallRecord.objects.filter(pk=calls["other_in_answered"].pk).update(call_id=calls["in_answered"].call_id)
    assert ids(customer, with_recording=True) == pks(calls, "out_landline")
    assert ids(customer, with_recording=True, direction=CallDirection.INBOUND) == set()


def test_another_customers_calls_never_appear(customer, other_customer, calls):
    every = ids(customer)
    assert not every & {call.pk for call in CallRecord.objects.for_customer(other_customer)}
    page = selectors.call_history_page(customer=customer, filters=filters())
    assert {row.customer_id for row in page.rows} == {customer.pk}
    assert selectors.call_history_totals(customer=other_customer, filters=filters()).count == 3


def test_totals_of_the_whole_filtered_set(customer, calls):
    totals = selectors.call_history_totals(customer=customer, filters=filters())
    assert totals.count == 6
    assert totals.talk_seconds == 5 * 60  # the missed call has no talk time
    assert totals.minutes == Decimal("5.0")
    assert str(totals.cost_net) == "0.65"  # 0.55 + 0.05 + 0 + 0 + 0.05, the unrated call adds nothing
    assert str(totals.cost_gross) == "0.80"  # the sum of each call's gross: 0.68 + 0.06 + 0.06
    outgoing = selectors.call_history_totals(customer=customer, filters=filters(direction=CallDirection.OUTBOUND))
    assert (outgoing.count, outgoing.cost_net) == (3, Decimal("0.60"))


def test_exact_totals_on_every_view_only_up_to_31_days():
    assert selectors.totals_on_every_view(HistoryFilters(start=MARCH[0], end=MARCH[1]))
    two_months = HistoryFilters(start=MARCH[0], end=day_start(date(2025, 5, 1)))
    assert not selectors.totals_on_every_view(two_months)


def walk(customer, flt, size):
    """Follow "next" from the first page to the last, then "previous" back; return both sequences of pages."""
    forward = []
    page = selectors.call_history_page(customer=customer, filters=flt, size=size)
    forward.append([row.pk for row in page.rows])
    assert page.previous_cursor is None
    while page.next_cursor:
        page = selectors.call_history_page(customer=customer, filters=flt, after=page.next_cursor, size=size)
        forward.append([row.pk for row in page.rows])
    backward = [[row.pk for row in page.rows]]
    while page.previous_cursor:
        page = selectors.call_history_page(customer=customer, filters=flt, before=page.previous_cursor, size=size)
        backward.append([row.pk for row in page.rows])
    return forward, backward[::-1]


@pytest.fixture
def crowded(customer):
    """53 calls on only four distinct start times (many equal timestamps) and three equal costs plus unrated."""
    moments = [march(10, 9), march(10, 9, 0, 1), march(11, 15), march(12, 8)]
    costs = ["0.10", "0.20", "0.20", None]
    records = [
        factories.call_record(customer, save=False, started_at=moments[index % 4], cost_net=costs[index % 4])
        for index in range(53)
    ]
    CallRecord.objects.bulk_create(records)
    return CallRecord.objects.for_customer(customer)


@pytest.mark.parametrize("sort", [Sort.DATE_DESC, Sort.DATE_ASC, Sort.COST_DESC, Sort.COST_ASC])
def test_keyset_pages_forward_and_back_without_duplicates_or_gaps(customer, crowded, sort):
    flt = filters(sort=sort)
    forward, backward = walk(customer, flt, size=10)
    flat = [pk for page in forward for pk in page]
    assert len(flat) == len(set(flat)) == 53
    assert [len(page) for page in forward] == [10, 10, 10, 10, 10, 3]
    assert backward == forward
    expected = list(
        selectors.call_history_queryset(customer=customer, filters=flt)
        .order_by(*selectors.SORT_KEYS[sort].order_by())
        .values_list("id", flat=True)
    )
    assert flat == expected


def test_newest_first_by_default_and_unrated_calls_first_when_the_most_expensive_first(customer, crowded):
    page = selectors.call_history_page(customer=customer, filters=filters(), size=5)
    times = [row.started_at for row in page.rows]
    assert times == sorted(times, reverse=True)
    by_cost = selectors.call_history_page(customer=customer, filters=filters(sort=Sort.COST_DESC), size=60)
    costs = [row.cost_net for row in by_cost.rows]
    assert costs[:13] == [None] * 13 and costs[13] == Decimal("0.20") and costs[-1] == Decimal("0.10")


def test_a_cursor_that_is_not_ours_gives_the_first_page(customer, crowded):
    first = selectors.call_history_page(customer=customer, filters=filters(), size=5)
    for garbage in ["nonsense", "%%%", "a" * 500, Cursor(None, 5).encode("datetime") + "x", "MjAyNXw="]:
        page = selectors.call_history_page(customer=customer, filters=filters(), after=garbage, before=garbage, size=5)
        assert [row.pk for row in page.rows] == [row.pk for row in first.rows]


def test_cursor_round_trip():
    moment = march(3, 10, 11, 12) + timedelta(microseconds=345)
    assert Cursor.decode(Cursor(moment, 7).encode("datetime"), "datetime") == Cursor(moment, 7)
    assert Cursor.decode(Cursor(Decimal("1.25"), 8).encode("decimal"), "decimal") == Cursor(Decimal("1.25"), 8)
    assert Cursor.decode(Cursor(None, 9).encode("decimal"), "decimal") == Cursor(None, 9)
    assert Cursor.decode(Cursor(Decimal("1.25"), 8).encode("decimal"), "datetime") is None


def test_export_rows_are_the_whole_set_in_chunks(customer, other_customer, crowded):
    factories.call_record(other_customer, started_at=march(10, 9))
    rows = list(selectors.call_history_export_rows(customer=customer, filters=filters(), chunk=7))
    assert len(rows) == len({row["id"] for row in rows}) == 53
    assert {row["call_id"] for row in rows} == set(crowded.values_list("call_id", flat=True))


@pytest.mark.smoke
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"date_from": "2025-13-45"}, "date_from"),
        ({"date_from": "yesterday"}, "date_from"),
        ({"date_from": "2024-01-01", "date_to": "2025-03-01"}, "date_to"),  # over 366 days
        ({"date_from": "2025-03-10", "date_to": "2025-03-01"}, "date_to"),
        ({"date_from": "0001-01-01", "date_to": "0001-01-02"}, "date_from"),
        ({"extension": "10a"}, "extension"),
        ({"q": "abc"}, "q"),
        ({"min_cost": "-1"}, "min_cost"),
        ({"min_cost": "dużo"}, "min_cost"),
        ({"direction": "sideways"}, "direction"),
        ({"sort": "price"}, "sort"),
    ],
)
def test_bad_filter_input_is_a_form_error(data, field):
    form = HistoryFilterForm(data)
    assert not form.is_valid()
    assert field in form.errors


@pytest.mark.smoke
def test_good_filter_input():
    form = HistoryFilterForm(
        {"date_from": "2024-03-01", "date_to": "2025-02-28", "q": "+48 600-100 200", "min_cost": "0,5"}
    )
    assert form.is_valid(), form.errors
    result = form.filters()
    assert result.number == "48600100200"
    assert result.min_cost == Decimal("0.5")
    assert result.days == 365
    assert result.sort == Sort.DATE_DESC


@pytest.mark.smoke
def test_empty_dates_mean_this_month():
    form = HistoryFilterForm({})
    assert form.is_valid()
    today = timezone.localdate()
    assert form.cleaned_data["date_from"] == today.replace(day=1)
    assert (
        form.cleaned_data["date_to"].month == today.month
        and (form.cleaned_data["date_to"] + timedelta(days=1)).day == 1
    )
