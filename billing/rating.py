"""The rating engine's lookup: plain Python, no database."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Rate:
    prefix: str
    destination: str
    price_per_minute: Decimal
    connection_fee: Decimal = Decimal("0")
    first_increment: int = 1
    next_increment: int = 1


class PrefixTable:
    """Longest-prefix match of E.164 numbers against a tariff's prefixes."""

    def __init__(self, rates: list[Rate]) -> None:
        self._by_prefix = {rate.prefix: rate for rate in rates}
        self._lengths = sorted({len(prefix) for prefix in self._by_prefix}, reverse=True)

    def lookup(self, number: str) -> Rate | None:
        for length in self._lengths:
            rate = self._by_prefix.get(number[:length])
            if rate is not None and len(number) >= length:
                return rate
        return None
