"""The rating engine: plain Python, no Django; plain data in and out.

What it decides, for one call at a time:

- which legs are billable: a leg to the public network (outgoing, a forward
  of an incoming call to an external number, both legs of a callback);
  incoming and internal legs are free;
- which tariff entry prices a destination: the longest prefix of the number
  in E.164 (a dict keyed by prefix, prefix lengths tried longest first);
- how many seconds are charged: the first billing period whole, then every
  started next period (60/60, 1/1, 30/6 ...); an unanswered leg (0 s) costs
  nothing, not even the connection fee;
- the net cost of a leg: charged seconds × price per minute (4 decimals)
  plus the connection fee, rounded half-up to 1 grosz per leg; the call's
  net cost is the sum of its legs, its gross cost that sum at the customer's
  VAT rate rounded half-up to 1 grosz.

Money is counted in integers (grosz, or 1/10,000 PLN for rates) so the hot
path never rounds twice and stays fast; Decimals come out at the edges.

Whether a per-minute rate is too high for an account is the routing engine's
decision before the call; a call that happened is priced as it happened.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

GROSZ = Decimal("0.01")
RATE_UNITS_PER_PLN = 10_000  # prices per minute and connection fees have 4 decimals
_UNITS_PER_GROSZ_SECOND = RATE_UNITS_PER_PLN * 60 // 100  # 6,000: a grosz in (1/10,000 PLN) × seconds / 60
_HALF_GROSZ = _UNITS_PER_GROSZ_SECOND // 2

# The leg kinds of billing.choices.LegKind that go to the public network and are charged.
BILLABLE_LEG_KINDS = frozenset({"outbound", "forward", "callback_employee", "callback_target", "monitor"})

_SEPARATORS = re.compile(r"[\s\-./()]+")
POLISH_NATIONAL_LENGTH = 9


def _units(amount: Decimal | str | int, what: str) -> int:
    """An amount in PLN as an integer of 1/10,000 PLN; more decimals than that are refused, never rounded away."""
    units = (amount if isinstance(amount, Decimal) else Decimal(amount)).scaleb(4)
    whole = int(units)
    if whole != units or whole < 0:
        raise ValueError(f"{what} must be a non-negative amount with at most 4 decimals, not {amount!r}.")
    return whole


@dataclass(frozen=True)
class Rate:
    """One entry of a tariff: numbers starting with `prefix` cost this much."""

    prefix: str
    destination: str
    price_per_minute: Decimal
    connection_fee: Decimal = Decimal("0")
    first_increment: int = 1
    next_increment: int = 1
    # Derived once per entry for the hot path: amounts in 1/10,000 PLN, billing periods of at least 1 s.
    price_units: int = field(init=False, repr=False, compare=False)
    fee_units: int = field(init=False, repr=False, compare=False)
    first_period: int = field(init=False, repr=False, compare=False)
    next_period: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "price_units", _units(self.price_per_minute, "A price per minute"))
        object.__setattr__(self, "fee_units", _units(self.connection_fee, "A connection fee"))
        object.__setattr__(self, "first_period", max(1, int(self.first_increment)))
        object.__setattr__(self, "next_period", max(1, int(self.next_increment)))

    @classmethod
    def from_stored(
        cls,
        prefix: str,
        destination: str,
        price_per_minute: Decimal,
        connection_fee: Decimal,
        first_increment: int,
        next_increment: int,
    ) -> Rate:
        """The Rate the constructor makes, in half its time, for the many entries of a stored tariff.

        A whole 60,000-prefix tariff is read for every large rating run. Amounts
        that are not Decimals with at most 4 decimals, or negative, go through
        the constructor and its checks (and errors).
        """
        if type(price_per_minute) is not Decimal or type(connection_fee) is not Decimal:
            return cls(prefix, destination, price_per_minute, connection_fee, first_increment, next_increment)
        price_units, fee_units = price_per_minute.scaleb(4), connection_fee.scaleb(4)
        whole_price, whole_fee = int(price_units), int(fee_units)
        if whole_price != price_units or whole_fee != fee_units or whole_price < 0 or whole_fee < 0:
            return cls(prefix, destination, price_per_minute, connection_fee, first_increment, next_increment)
        rate = object.__new__(cls)
        object.__setattr__(
            rate,
            "__dict__",
            {
                "prefix": prefix,
                "destination": destination,
                "price_per_minute": price_per_minute,
                "connection_fee": connection_fee,
                "first_increment": first_increment,
                "next_increment": next_increment,
                "price_units": whole_price,
                "fee_units": whole_fee,
                "first_period": first_increment if first_increment > 1 else 1,
                "next_period": next_increment if next_increment > 1 else 1,
            },
        )
        return rate

    def charged_seconds(self, seconds: int) -> int:
        return charged_seconds(seconds, self.first_period, self.next_period)

    def cost_grosz(self, seconds: int) -> int:
        """The net cost in grosz of a leg that lasted `seconds` (rounded half-up once, per leg)."""
        charged = charged_seconds(seconds, self.first_period, self.next_period)
        if not charged:
            return 0
        return _div_half_up(charged * self.price_units + 60 * self.fee_units, _UNITS_PER_GROSZ_SECOND)


def charged_seconds(seconds: int, first: int, step: int) -> int:
    """Seconds charged for a leg: 0 stays 0, the first period is charged whole, then each started step."""
    if seconds <= 0:
        return 0
    if seconds <= first:
        return first
    return first - (-(seconds - first) // step) * step


def _div_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half away from zero (Decimal's ROUND_HALF_UP), in integers."""
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return quotient if numerator >= 0 else -quotient


class PrefixTable:
    """Longest-prefix match of E.164 numbers against a tariff's prefixes."""

    def __init__(self, rates: Iterable[Rate]) -> None:
        self._by_prefix: dict[str, Rate | tuple] = {rate.prefix: rate for rate in rates}
        self._lengths = sorted({len(prefix) for prefix in self._by_prefix}, reverse=True)

    @classmethod
    def from_stored(cls, rows: Iterable[tuple]) -> PrefixTable:
        """A table of a stored tariff's rows, each the arguments of `Rate.from_stored` (prefix first).

        A row becomes a Rate when a number first matches it: a rating run needs a
        few thousand of a 60,000-prefix tariff's entries, and reads all of them.
        """
        table = cls(())
        table._by_prefix = {row[0]: row for row in rows}
        table._lengths = sorted({len(prefix) for prefix in table._by_prefix}, reverse=True)
        return table

    def __len__(self) -> int:
        return len(self._by_prefix)

    def lookup(self, number: str) -> Rate | None:
        get = self._by_prefix.get
        size = len(number)
        for length in self._lengths:
            if length <= size:
                rate = get(number[:length])
                if rate is not None:
                    if rate.__class__ is tuple:  # a stored row not used before
                        row, rate = rate, Rate.from_stored(*rate)
                        self._by_prefix[row[0]] = rate
                    return rate
        return None

    def price(self, number: str, seconds: int) -> LegPrice | None:
        """The price of a leg to an E.164 `number` lasting `seconds`, or None when no prefix matches."""
        rate = self.lookup(number)
        if rate is None:
            return None
        charged = charged_seconds(seconds, rate.first_period, rate.next_period)
        if not charged:
            return LegPrice(rate, 0, 0)
        cost = _div_half_up(charged * rate.price_units + 60 * rate.fee_units, _UNITS_PER_GROSZ_SECOND)
        return LegPrice(rate, charged, cost)


@dataclass(frozen=True, slots=True)
class LegPrice:
    rate: Rate
    billed_seconds: int
    cost_grosz: int

    @property
    def cost_net(self) -> Decimal:
        return grosz_to_pln(self.cost_grosz)


def grosz_to_pln(grosz: int) -> Decimal:
    return Decimal(grosz).scaleb(-2)


def vat_basis_points(vat_rate: Decimal | str | int) -> int:
    """A VAT rate in percent (23.00) as basis points (2300); more than 2 decimals are refused."""
    value = Decimal(vat_rate) * 100
    if value != value.to_integral_value() or value < 0:
        raise ValueError(f"A VAT rate has at most 2 decimals, not {vat_rate!r}.")
    return int(value)


def gross_grosz(net_grosz: int, vat_points: int) -> int:
    """Gross in grosz of a net amount in grosz at `vat_points` basis points, rounded half-up."""
    return _div_half_up(net_grosz * (10_000 + vat_points), 10_000)


def gross(net: Decimal, vat_rate: Decimal | str = Decimal("23"), quantum: Decimal = GROSZ) -> Decimal:
    """Gross of a net amount at `vat_rate` percent, rounded half-up to `quantum` (0.001 for rates per minute)."""
    return (net * (100 + Decimal(vat_rate)) / 100).quantize(quantum, rounding=ROUND_HALF_UP)


def to_e164(number: str) -> str | None:
    """The number as dialled by the PBX in E.164 ("+48501222333"), or None when it is not a public number.

    "+" or "00" start an international number; 9 digits are a Polish number.
    Short numbers (112, an extension) and anything else are not rated.
    """
    if number[:1] == "+" and _is_e164_digits(number[1:]):
        return number  # the usual case, kept fast
    compact = _SEPARATORS.sub("", number)
    if compact.startswith("+"):
        digits = compact[1:]
    elif compact.startswith("00"):
        digits = compact[2:]
    elif len(compact) == POLISH_NATIONAL_LENGTH and compact[:1] != "0":
        digits = "48" + compact
    else:
        return None
    return "+" + digits if _is_e164_digits(digits) else None


def _is_e164_digits(digits: str) -> bool:
    return 7 <= len(digits) <= 15 and digits.isdigit() and digits.isascii() and digits[0] != "0"


def leg_seconds(answered_at: datetime | None, ended_at: datetime) -> int:
    """Talk time of a leg in whole seconds, a started second counting as one; 0 when it was not answered."""
    if answered_at is None or ended_at <= answered_at:
        return 0
    delta = ended_at - answered_at
    return delta.days * 86_400 + delta.seconds + (1 if delta.microseconds else 0)


def is_billable(kind: str) -> bool:
    return kind in BILLABLE_LEG_KINDS


# Why a call cannot be priced (the service turns these into words for operators).
NO_TARIFF = "no_tariff"
NOT_PUBLIC_NUMBER = "not_public_number"
NO_RATE = "no_rate"


@dataclass(frozen=True, slots=True)
class LegToRate:
    index: int
    destination: str
    seconds: int


@dataclass(frozen=True, slots=True)
class RatedLeg:
    index: int
    billed_seconds: int
    destination_name: str
    rate: Rate | None
    cost_grosz: int


@dataclass(frozen=True, slots=True)
class Unratable:
    leg_index: int
    number: str
    reason: str


@dataclass(frozen=True, slots=True)
class CallPrice:
    """The price of a whole call: its billable legs, or why it cannot be priced (then nothing is charged)."""

    legs: tuple[RatedLeg, ...]
    net_grosz: int
    gross_grosz: int
    problem: Unratable | None = None

    @property
    def cost_net(self) -> Decimal:
        return grosz_to_pln(self.net_grosz)

    @property
    def cost_gross(self) -> Decimal:
        return grosz_to_pln(self.gross_grosz)


def rate_call(legs: Iterable[LegToRate], table: PrefixTable | None, vat_points: int) -> CallPrice:
    """Price the billable legs of one call (pass only those). A leg with talk time that no entry prices makes
    the whole call unratable; an unanswered leg costs nothing, priced or not.

    The hot path of rating: `PrefixTable.price` and `gross_grosz` inlined for
    non-negative amounts (the tests hold it to them).
    """
    rated = []
    net = 0
    lookup = table.lookup if table is not None else None
    for leg in legs:
        destination, seconds = leg.destination, leg.seconds
        fast = destination[:1] == "+" and _is_e164_digits(destination[1:])
        number = destination if fast else to_e164(destination)
        rate = lookup(number) if lookup is not None and number is not None else None
        if rate is None:
            if seconds > 0:
                reason = NO_TARIFF if table is None else NOT_PUBLIC_NUMBER if number is None else NO_RATE
                return CallPrice((), 0, 0, Unratable(leg.index, destination, reason))
            rated.append(RatedLeg(leg.index, 0, "", None, 0))
            continue
        if seconds > 0:
            first, step = rate.first_period, rate.next_period
            charged = first if seconds <= first else first - (-(seconds - first) // step) * step
            cost = (charged * rate.price_units + 60 * rate.fee_units + _HALF_GROSZ) // _UNITS_PER_GROSZ_SECOND
        else:
            charged = cost = 0
        rated.append(RatedLeg(leg.index, charged, rate.destination, rate, cost))
        net += cost
    return CallPrice(tuple(rated), net, (net * (10_000 + vat_points) + 5_000) // 10_000)
