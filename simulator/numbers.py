"""Random but plausible phone numbers for simulated calls: Polish landlines and mobiles, a few countries abroad.

Plain Python. Every function takes the `random.Random` to draw from, so a
seeded generator always gives the same numbers.
"""

from __future__ import annotations

import random

# Geographic area codes (strefy numeracyjne) of Polish landlines, e.g. 22 Warszawa, 12 Kraków, 94 Koszalin.
LANDLINE_AREAS = (
    "12", "13", "14", "15", "16", "17", "18", "22", "23", "24", "25", "29", "32", "33", "34", "41", "42", "43",
    "44", "46", "48", "52", "54", "55", "56", "58", "59", "61", "62", "63", "65", "67", "68", "71", "74", "75",
    "76", "77", "81", "82", "83", "84", "85", "86", "87", "89", "91", "94", "95",
)  # fmt: skip
# Landlines are mostly in the big cities.
LANDLINE_WEIGHTS = {"22": 12, "12": 6, "71": 5, "61": 5, "58": 5, "42": 4, "32": 4, "94": 3}
MOBILE_PREFIXES = ("50", "51", "53", "57", "60", "66", "69", "72", "73", "78", "79", "88")
# (country code, national number length, weight) of calls abroad; +86 is priced above the default max. rate.
ABROAD = (("49", 10, 35), ("44", 10, 25), ("1", 10, 25), ("86", 11, 15))
# Where foreign callers call from.
FOREIGN_CALLERS = (("49", 10, 40), ("44", 10, 20), ("420", 9, 15), ("380", 9, 15), ("1", 10, 10))


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def polish_landline(rng: random.Random) -> str:
    areas = LANDLINE_AREAS
    area = rng.choices(areas, [LANDLINE_WEIGHTS.get(code, 1) for code in areas])[0]
    return f"+48{area}{rng.choice('23456789')}{_digits(rng, 6)}"


def polish_mobile(rng: random.Random) -> str:
    return f"+48{rng.choice(MOBILE_PREFIXES)}{_digits(rng, 7)}"


def _foreign(rng: random.Random, table) -> str:
    code, length, _ = rng.choices(table, [weight for _, _, weight in table])[0]
    return f"+{code}{rng.choice('23456789')}{_digits(rng, length - 1)}"


def abroad(rng: random.Random) -> str:
    """A number abroad that someone in the office calls."""
    return _foreign(rng, ABROAD)


def foreign_caller(rng: random.Random) -> str:
    """A number abroad that calls the office."""
    return _foreign(rng, FOREIGN_CALLERS)


def caller_number(rng: random.Random) -> str:
    """Who calls in from outside: mostly Polish mobiles, then landlines, some abroad, a few withheld ("")."""
    roll = rng.random()
    if roll < 0.55:
        return polish_mobile(rng)
    if roll < 0.85:
        return polish_landline(rng)
    if roll < 0.97:
        return foreign_caller(rng)
    return ""


def called_number(rng: random.Random) -> str:
    """Where the office calls out: mobiles, landlines, and abroad (Germany, the UK, the US, some China)."""
    roll = rng.random()
    if roll < 0.5:
        return polish_mobile(rng)
    if roll < 0.83:
        return polish_landline(rng)
    return abroad(rng)


def contacts(rng: random.Random, count: int) -> tuple[str, ...]:
    """A business's regular contacts: the same numbers call and are called again and again."""
    return tuple(dict.fromkeys(caller_number(rng) or polish_mobile(rng) for _ in range(count)))
