import pytest

from callback.grammar import MalformedOrder, ParsedOrder, parse_order

pytestmark = pytest.mark.smoke


@pytest.mark.parametrize(
    ("text", "expects_pin", "expected"),
    [
        ("1111 111222333", True, ParsedOrder("1111", "+48111222333")),
        ("111222333", False, ParsedOrder("", "+48111222333")),
        ("1111 111 222 333", True, ParsedOrder("1111", "+48111222333")),
        ("1111 111-222-333", True, ParsedOrder("1111", "+48111222333")),
        ("  111.222.333 ", False, ParsedOrder("", "+48111222333")),
        ("1234567890 0049 30 1234567", True, ParsedOrder("1234567890", "+49301234567")),
        ("1111 +49 30 1234567", True, ParsedOrder("1111", "+49301234567")),
        ("+420 601 222 333", False, ParsedOrder("", "+420601222333")),
        ("0048 601 222 333", False, ParsedOrder("", "+48601222333")),
    ],
)
def test_valid_orders(text, expects_pin, expected):
    assert parse_order(text, expects_pin=expects_pin) == expected


@pytest.mark.parametrize(
    ("text", "expects_pin", "code"),
    [
        ("", False, MalformedOrder.EMPTY),
        ("   ", True, MalformedOrder.EMPTY),
        ("1111", True, MalformedOrder.NO_TARGET),  # PIN only
        ("1111 11122", True, "polish_length"),  # too short
        ("11122233", False, "polish_length"),
        ("1111 call 111222333", True, "characters"),  # letters
        ("abc", False, "characters"),
        ("PIN 111222333", True, MalformedOrder.NO_PIN),
        ("1111 111222333", False, "polish_length"),  # a PIN sent where none is set
        ("1111 4930123", True, "polish_length"),  # a number abroad without 00 or +
        ("+0049 123", False, "country_code"),
    ],
)
def test_malformed_orders(text, expects_pin, code):
    with pytest.raises(MalformedOrder) as refusal:
        parse_order(text, expects_pin=expects_pin)
    assert refusal.value.code == code
