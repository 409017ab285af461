"""The text of an SMS that orders a call: an optional PIN, then the target number. Plain Python, no Django.

    "1111 111 222 333"   PIN 1111, target +48111222333 (when the authorized number has a PIN)
    "111-222-333"        target +48111222333 (no PIN set)
    "1111 +49 30 1234567" / "1111 0049301234567"   a number abroad starts with + or 00

Spaces, dashes and dots inside the number are allowed; a 9-digit number is
Polish. The PIN is the first word when the authorized number has one. A
refusal is `MalformedOrder` with a `code` the service turns into a reply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pbx.numbering import InvalidNumber, normalise_external_number

PIN = re.compile(r"^[0-9]{4,10}\Z")


class MalformedOrder(ValueError):
    """The text is not "[PIN] NUMBER"; `code` says why (EMPTY, NO_PIN, NO_TARGET or an `InvalidNumber` code)."""

    EMPTY = "empty"
    NO_PIN = "no_pin"
    NO_TARGET = "no_target"

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ParsedOrder:
    pin: str
    target: str  # E.164


def parse_order(text: str, *, expects_pin: bool) -> ParsedOrder:
    """Split an order SMS into the PIN (when `expects_pin`) and the E.164 target; raises `MalformedOrder`."""
    words = (text or "").split()
    if not words:
        raise MalformedOrder(MalformedOrder.EMPTY)
    pin = ""
    if expects_pin:
        if not PIN.match(words[0]):
            raise MalformedOrder(MalformedOrder.NO_PIN)
        pin, words = words[0], words[1:]
        if not words:
            raise MalformedOrder(MalformedOrder.NO_TARGET)
    try:
        target = normalise_external_number(" ".join(words))
    except InvalidNumber as error:
        raise MalformedOrder(error.code) from error
    return ParsedOrder(pin=pin, target=target)
