"""The rating engine on its own (no database): billing periods, connection fee, longest prefix, rounding."""

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing.choices import LegKind
from billing.rating import (
    NO_RATE,
    NO_TARIFF,
    NOT_PUBLIC_NUMBER,
    LegToRate,
    PrefixTable,
    Rate,
    charged_seconds,
    gross,
    gross_grosz,
    is_billable,
    leg_seconds,
    rate_call,
    to_e164,
    vat_basis_points,
)
from panel.money import gross_amount

pytestmark = pytest.mark.smoke
VAT = vat_basis_points(Decimal("23.00"))


def rate(price="0.05", *, first=1, step=1, fee="0", prefix="+48", destination="Polska Stacjonarne") -> Rate:
    return Rate(prefix, destination, Decimal(price), Decimal(fee), first, step)


@pytest.mark.parametrize(
    ("first", "step", "expected"),
    [
        (60, 60, {0: 0, 1: 60, 29: 60, 30: 60, 31: 60, 61: 120}),
        (1, 1, {0: 0, 1: 1, 29: 29, 30: 30, 31: 31, 61: 61}),
        (30, 6, {0: 0, 1: 30, 29: 30, 30: 30, 31: 36, 61: 66}),
    ],
)
def test_billing_periods_charge_the_first_period_whole_then_each_started_step(first, step, expected):
    assert {seconds: charged_seconds(seconds, first, step) for seconds in expected} == expected


@pytest.mark.parametrize(
    ("first", "step", "seconds", "cost"),
    [
        (60, 60, 0, "0.00"),
        (60, 60, 1, "0.05"),
        (60, 60, 61, "0.10"),
        (1, 1, 29, "0.02"),  # 0.02416…
        (1, 1, 30, "0.03"),  # 0.025 exactly: half-up
        (1, 1, 31, "0.03"),
        (30, 6, 1, "0.03"),  # 30 s
        (30, 6, 31, "0.03"),  # 36 s = 0.03
        (30, 6, 61, "0.06"),  # 66 s = 0.055 → half-up
    ],
)
def test_cost_of_a_leg_is_rounded_half_up_to_a_grosz(first, step, seconds, cost):
    price = PrefixTable([rate(first=first, step=step)]).price("+48123456789", seconds)
    assert price.cost_net == Decimal(cost)


def test_connection_fee_is_added_to_answered_legs_only():
    table = PrefixTable([rate("0.05", first=60, step=60, fee="0.10")])
    assert table.price("+48123456789", 61).cost_net == Decimal("0.20")
    assert table.price("+48123456789", 1).cost_net == Decimal("0.15")
    assert table.price("+48123456789", 0).cost_net == Decimal("0.00")  # not answered: nothing at all


def test_longest_prefix_prices_the_leg():
    table = PrefixTable(
        [
            rate("1.99", prefix="+", destination="Reszta świata"),
            rate("0.05", prefix="+48", destination="Polska Stacjonarne"),
            rate("0.11", prefix="+4850", destination="Polska Komórka"),
            rate("0.50", prefix="+485012", destination="Premium"),
        ]
    )
    assert table.price("+48501222333", 60).rate.destination == "Premium"
    assert table.price("+48509222333", 60).rate.destination == "Polska Komórka"
    assert table.price("+48221234567", 60).rate.destination == "Polska Stacjonarne"
    assert table.price("+861012345678", 60).rate.destination == "Reszta świata"
    assert PrefixTable([rate(prefix="+48")]).price("+49301234567", 60) is None


def test_per_minute_rate_above_an_accounts_maximum_is_still_priced_here():
    # Refusing such a call (max. per-minute rate of the SIP account) is the routing engine's job before the call;
    # a call that did happen is priced as it happened.
    table = PrefixTable([rate("1.99", prefix="+", destination="Reszta świata")])
    assert table.price("+861012345678", 60).cost_net == Decimal("1.99")


@pytest.mark.parametrize(("net", "gross_rate"), [("0.05", "0.062"), ("0.11", "0.135"), ("0.09", "0.111")])
def test_gross_per_minute_rate_is_rounded_half_up_to_a_tenth_of_a_grosz(net, gross_rate):
    assert gross(Decimal(net), Decimal("23"), Decimal("0.001")) == Decimal(gross_rate)


def test_gross_of_a_call_is_rounded_half_up_not_to_even():
    # 1.50 × 1.23 = 1.845: half-up gives 1.85 (banker's rounding would give 1.84).
    assert gross_grosz(150, VAT) == 185
    assert gross_grosz(5, VAT) == 6  # 0.0615
    assert gross_grosz(0, VAT) == 0
    assert gross_grosz(-150, VAT) == -185  # corrections round symmetrically


@given(st.integers(min_value=-10_000_000, max_value=10_000_000), st.sampled_from(["23", "8", "5", "0", "23.5"]))
def test_integer_gross_agrees_with_the_panels_decimal_gross(net_grosz, vat):
    expected = gross_amount(Decimal(net_grosz) / 100, Decimal(vat))
    assert Decimal(gross_grosz(net_grosz, vat_basis_points(Decimal(vat)))) / 100 == expected


@given(
    st.integers(min_value=0, max_value=200_000),
    st.integers(min_value=0, max_value=99_999),
    st.integers(min_value=0, max_value=9_999),
    st.sampled_from([(1, 1), (60, 60), (30, 6), (60, 1)]),
)
def test_integer_leg_cost_agrees_with_decimal_arithmetic(seconds, price_units, fee_units, periods):
    price, fee = Decimal(price_units) / 10_000, Decimal(fee_units) / 10_000
    leg_rate = Rate("+48", "x", price, fee, *periods)
    charged = charged_seconds(seconds, *periods)
    expected = (charged * price / 60 + fee).quantize(Decimal("0.01"), ROUND_HALF_UP) if charged else Decimal(0)
    assert PrefixTable([leg_rate]).price("+48123456789", seconds).cost_net == expected


def test_rates_with_more_than_four_decimals_are_refused_not_rounded():
    with pytest.raises(ValueError, match="4 decimals"):
        rate("0.05001")
    assert rate("0.0501").price_units == 501


@given(
    st.decimals(min_value=0, max_value=9999, places=4),
    st.decimals(min_value=0, max_value=9999, places=4),
    st.sampled_from([(1, 1), (60, 60), (30, 6), (0, 0)]),
)
def test_a_stored_rate_is_the_same_as_a_constructed_one(price, fee, periods):
    stored, built = Rate.from_stored("+48", "x", price, fee, *periods), Rate("+48", "x", price, fee, *periods)
    assert stored == built
    assert (stored.price_units, stored.fee_units, stored.first_period, stored.next_period) == (
        built.price_units,
        built.fee_units,
        built.first_period,
        built.next_period,
    )
    assert PrefixTable([stored]).price("+48123", 61) == PrefixTable([built]).price("+48123", 61)


@pytest.mark.parametrize(("price", "fee"), [("0.05001", "0"), ("-0.05", "0"), ("0.05", "-0.0001"), ("0.05", "1e-5")])
def test_a_stored_rate_with_a_bad_amount_is_refused_as_by_the_constructor(price, fee):
    with pytest.raises(ValueError):
        Rate.from_stored("+48", "x", Decimal(price), Decimal(fee), 1, 1)


def test_zero_billing_periods_count_as_one_second():
    assert PrefixTable([rate(first=0, step=0)]).price("+48123456789", 30).billed_seconds == 30


@pytest.mark.parametrize(
    ("kind", "billable"),
    [
        (LegKind.INBOUND, False),
        (LegKind.INTERNAL, False),
        (LegKind.OUTBOUND, True),
        (LegKind.FORWARD, True),
        (LegKind.CALLBACK_EMPLOYEE, True),
        (LegKind.CALLBACK_TARGET, True),
    ],
)
def test_which_legs_are_billable(kind, billable):
    assert is_billable(kind) is billable


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("+48501222333", "+48501222333"),
        ("0048501222333", "+48501222333"),
        ("501222333", "+48501222333"),
        ("+48 501-222-333", "+48501222333"),
        ("+861012345678", "+861012345678"),
        ("112", None),
        ("10", None),
        ("012345678", None),
        ("+0123456789", None),
        ("anonymous", None),
        ("+1234567890123456", None),
    ],
)
def test_destinations_are_read_as_e164(raw, e164):
    assert to_e164(raw) == e164


def test_talk_seconds_count_a_started_second():
    answered = datetime(2025, 1, 31, 10, 0, 0)
    assert leg_seconds(None, answered) == 0
    assert leg_seconds(answered, answered) == 0
    assert leg_seconds(answered, answered + timedelta(seconds=59, milliseconds=1)) == 60
    assert leg_seconds(answered, answered + timedelta(days=1, seconds=2)) == 86_402


TABLE = PrefixTable(
    [rate("0.05", prefix="+48"), rate("0.11", prefix="+4850", destination="Polska Komórka"), rate("0.09", prefix="+49")]
)


def test_a_call_costs_the_sum_of_its_legs_each_rounded():
    # Two legs of 30 s at 0.05/min: 0.025 each, rounded per leg to 0.03: 0.06 (not 0.05).
    price = rate_call([LegToRate(0, "+48221234567", 30), LegToRate(1, "+48221234568", 30)], TABLE, VAT)
    assert [leg.cost_grosz for leg in price.legs] == [3, 3]
    assert (price.cost_net, price.cost_gross) == (Decimal("0.06"), Decimal("0.07"))
    assert price.problem is None


def test_a_leg_nobody_prices_makes_the_call_unratable_instead_of_free():
    price = rate_call([LegToRate(0, "+48221234567", 30), LegToRate(1, "+861012345678", 30)], TABLE, VAT)
    assert price.problem.reason == NO_RATE
    assert (price.problem.leg_index, price.problem.number) == (1, "+861012345678")
    assert price.legs == ()


def test_an_unanswered_leg_costs_nothing_even_without_a_rate():
    price = rate_call([LegToRate(0, "+861012345678", 0)], TABLE, VAT)
    assert price.problem is None and price.net_grosz == 0


@pytest.mark.parametrize(
    ("table", "destination", "reason"),
    [(TABLE, "19115", NOT_PUBLIC_NUMBER), (TABLE, "10", NOT_PUBLIC_NUMBER), (None, "+48221234567", NO_TARIFF)],
)
def test_why_a_call_cannot_be_rated(table, destination, reason):
    assert rate_call([LegToRate(0, destination, 12)], table, VAT).problem.reason == reason


def test_no_billable_legs_is_a_free_call():
    price = rate_call([], TABLE, VAT)
    assert (price.cost_net, price.cost_gross, price.problem) == (Decimal("0.00"), Decimal("0.00"), None)
