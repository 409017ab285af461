"""The per-minute rate of a destination: longest prefix of the customer's tariff, gross rounded half-up."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from billing.models import Tariff
from billing.rating import PrefixTable, Rate
from billing.selectors import rate_for_number
from billing.tests import factories
from panel.confirmation import CostLine, CostStatement
from panel.money import gross_amount

RATE_QUANTUM = Decimal("0.001")


@pytest.fixture
def default_tariff(db):
    """The default tariff of billing's data migration, also when a transactional test flushed it before."""
    importlib.import_module("billing.migrations.0002_seed_default_tariff").seed(apps, None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("number", "destination", "price"),
    [
        ("+48501222333", "Polska Komórka", "0.11"),
        ("+48881222333", "Polska Komórka", "0.11"),
        ("+48123456789", "Polska Stacjonarne", "0.05"),
        ("+48943401128", "Polska Stacjonarne", "0.05"),
        ("+49301234567", "Niemcy", "0.09"),
        ("+420123456789", "Czechy", "0.09"),
        ("+12125550100", "USA i Kanada", "0.09"),
        ("+861012345678", "Reszta świata", "1.99"),
    ],
)
def test_default_tariff_longest_prefix(customer, default_tariff, number, destination, price):
    rate = rate_for_number(customer=customer, number=number)
    assert rate.destination == destination
    assert rate.price_per_minute == Decimal(price)


@pytest.mark.django_db
def test_customer_tariff_wins_over_the_default(customer, default_tariff):
    factories.tariff(name="VIP", customer=customer, rates=[("+48", "Polska", "0.02")])
    assert rate_for_number(customer=customer, number="+48501222333").price_per_minute == Decimal("0.02")
    assert rate_for_number(customer=customer, number="+49301234567") is None  # not priced in this tariff


@pytest.mark.django_db
def test_no_tariff_at_all_means_no_rate(customer, default_tariff):
    Tariff.objects.all().delete()
    assert rate_for_number(customer=customer, number="+48501222333") is None


@pytest.mark.smoke
def test_prefix_table_prefers_the_longest_prefix_and_needs_the_whole_prefix():
    table = PrefixTable(
        [
            Rate("+", "Reszta świata", Decimal("1.99")),
            Rate("+48", "Polska Stacjonarne", Decimal("0.05")),
            Rate("+4850", "Polska Komórka", Decimal("0.11")),
        ]
    )
    assert table.lookup("+48501222333").destination == "Polska Komórka"
    assert table.lookup("+48121222333").destination == "Polska Stacjonarne"
    assert table.lookup("+4812").destination == "Polska Stacjonarne"
    assert table.lookup("+86101234567").destination == "Reszta świata"
    assert PrefixTable([]).lookup("+48501222333") is None


@pytest.mark.smoke
@pytest.mark.parametrize(("net", "gross"), [("0.11", "0.135"), ("0.05", "0.062"), ("0.09", "0.111"), ("1.99", "2.448")])
def test_per_minute_gross_is_rounded_half_up_to_a_tenth_of_a_grosz(net, gross):
    assert gross_amount(Decimal(net), quantum=RATE_QUANTUM) == Decimal(gross)


@pytest.mark.smoke
def test_rate_line_of_the_cost_confirmation():
    statement = CostStatement(title="x", rates=[CostLine("Polska Komórka", Decimal("0.11"), per_minute=True)])
    row = statement.rows()[-1]
    assert row == {"label": "Polska Komórka", "net": Decimal("0.110"), "gross": Decimal("0.135"), "per_minute": True}
