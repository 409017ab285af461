"""Money helpers: Decimal only, VAT rounded half-up."""

from decimal import ROUND_HALF_UP, Decimal

GROSZ = Decimal("0.01")
DEFAULT_VAT_RATE = Decimal("23.00")


def gross_amount(net: Decimal, vat_rate: Decimal = DEFAULT_VAT_RATE, quantum: Decimal = GROSZ) -> Decimal:
    """Gross of `net` at `vat_rate` percent, rounded half-up to `quantum`."""
    return (net * (Decimal(100) + vat_rate) / Decimal(100)).quantize(quantum, rounding=ROUND_HALF_UP)
