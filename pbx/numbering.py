"""Phone numbers as people type them, turned into E.164 and back into something readable.

Plain Python, no Django: forms call `normalise_external_number` and translate
the `InvalidNumber.code` of a refusal into a message; templates show numbers
through `format_number`.

The rules for what a customer types:
- spaces, dashes, dots, slashes and parentheses are ignored;
- 9 digits are a Polish number (+48 and the digits; a Polish number never starts with 0);
- "00" or "+" start a number abroad: 7 to 15 digits, the country code never starts with 0,
  and a Polish number written this way (+48 / 0048) still has exactly 9 digits after 48;
- anything else (8 or 10 digits, "48" and 9 digits without +, letters) is refused, because
  guessing a forwarding target is how calls end up at a stranger's phone.
"""

from __future__ import annotations

import re

POLISH_COUNTRY_CODE = "48"
POLISH_NATIONAL_LENGTH = 9
E164_MIN_DIGITS = 7
E164_MAX_DIGITS = 15

# Polish mobile ranges (the first two national digits), as in the default tariff's "Polska Komórka".
POLISH_MOBILE_PREFIXES = frozenset({"45", "50", "51", "53", "57", "60", "66", "69", "72", "73", "78", "79", "88"})

# ITU-T E.164 country codes: 1 and 7 are one digit, these are two digits, every other is three.
_TWO_DIGIT_COUNTRY_CODES = frozenset(
    {"20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", *(str(code) for code in range(43, 50))}
    | {str(code) for code in (*range(51, 59), *range(60, 67), 81, 82, 84, 86, *range(90, 96), 98)}
)

_SEPARATORS = re.compile(r"[\s\-./()]+")
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}\Z")


class InvalidNumber(ValueError):
    """A number that cannot be turned into E.164; `code` says why (forms map it to a message)."""

    EMPTY = "empty"
    CHARACTERS = "characters"
    POLISH_LENGTH = "polish_length"
    POLISH_LEADING_ZERO = "polish_leading_zero"
    INTERNATIONAL_LENGTH = "international_length"
    COUNTRY_CODE = "country_code"

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _polish(national: str) -> str:
    if len(national) != POLISH_NATIONAL_LENGTH:
        raise InvalidNumber(InvalidNumber.POLISH_LENGTH)
    if national[0] == "0":
        raise InvalidNumber(InvalidNumber.POLISH_LEADING_ZERO)
    return f"+{POLISH_COUNTRY_CODE}{national}"


def _international(digits: str) -> str:
    if not digits.isdigit() or not digits.isascii():
        raise InvalidNumber(InvalidNumber.CHARACTERS)
    if digits[0] == "0":
        raise InvalidNumber(InvalidNumber.COUNTRY_CODE)
    if digits.startswith(POLISH_COUNTRY_CODE):
        return _polish(digits[len(POLISH_COUNTRY_CODE) :])
    if not E164_MIN_DIGITS <= len(digits) <= E164_MAX_DIGITS:
        raise InvalidNumber(InvalidNumber.INTERNATIONAL_LENGTH)
    return f"+{digits}"


def normalise_external_number(raw: str) -> str:
    """The E.164 form ("+48111222333") of a number a customer typed; raises `InvalidNumber`."""
    compact = _SEPARATORS.sub("", raw or "")
    if not compact:
        raise InvalidNumber(InvalidNumber.EMPTY)
    if compact.startswith("+"):
        rest = compact[1:]
        if not rest:
            raise InvalidNumber(InvalidNumber.INTERNATIONAL_LENGTH)
        return _international(rest)
    if not compact.isdigit() or not compact.isascii():
        raise InvalidNumber(InvalidNumber.CHARACTERS)
    if compact.startswith("00"):
        rest = compact[2:]
        if not rest:
            raise InvalidNumber(InvalidNumber.INTERNATIONAL_LENGTH)
        return _international(rest)
    return _polish(compact)


def country_code(e164: str) -> str:
    """The country calling code of an E.164 number ("48" for "+48111222333")."""
    digits = e164.removeprefix("+")
    if digits[:1] in ("1", "7"):
        return digits[:1]
    if digits[:2] in _TWO_DIGIT_COUNTRY_CODES:
        return digits[:2]
    return digits[:3]


def is_polish(e164: str) -> bool:
    return bool(_E164.match(e164)) and e164.startswith(f"+{POLISH_COUNTRY_CODE}")


def is_polish_mobile(e164: str) -> bool:
    national = e164[len(POLISH_COUNTRY_CODE) + 1 :]
    return is_polish(e164) and national[:2] in POLISH_MOBILE_PREFIXES


def format_number(e164: str) -> str:
    """A number for people: "+48 111 222 333" in Poland, "+49 301234567" abroad; anything odd as it is."""
    if not e164 or not _E164.match(e164):
        return e164 or ""
    code = country_code(e164)
    rest = e164[len(code) + 1 :]
    if code == POLISH_COUNTRY_CODE and len(rest) == POLISH_NATIONAL_LENGTH:
        return f"+{code} {rest[:3]} {rest[3:6]} {rest[6:]}"
    return f"+{code} {rest}"
