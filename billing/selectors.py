"""Reads of the billing app."""

from __future__ import annotations

from billing.models import Tariff, TariffRate
from billing.rating import PrefixTable, Rate
from panel.models import Customer


def tariff_for_customer(*, customer: Customer) -> Tariff | None:
    if customer.tariff_id:
        return customer.tariff
    return Tariff.objects.filter(is_default=True).first()


def prefix_table(*, tariff: Tariff) -> PrefixTable:
    rows = TariffRate.objects.filter(tariff=tariff).values_list(
        "prefix", "destination", "price_per_minute", "connection_fee", "first_increment", "next_increment"
    )
    return PrefixTable([Rate(*row) for row in rows])


def rate_for_number(*, customer: Customer, number: str) -> Rate | None:
    """The customer's per-minute rate for an E.164 number (longest prefix), or None when unpriced."""
    tariff = tariff_for_customer(customer=customer)
    if tariff is None:
        return None
    return prefix_table(tariff=tariff).lookup(number)
