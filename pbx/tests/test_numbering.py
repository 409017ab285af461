"""The number parser a customer meets when adding an external number: plain Python, no database."""

import pytest

from pbx.numbering import InvalidNumber, format_number, is_polish_mobile, normalise_external_number

pytestmark = pytest.mark.smoke


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("111 222 333", "+48111222333"),
        ("111-222-333", "+48111222333"),
        ("111.222.333", "+48111222333"),
        ("(111) 222 333", "+48111222333"),
        ("111222333", "+48111222333"),
        (" 501 222 333 ", "+48501222333"),
        ("+48 111 222 333", "+48111222333"),
        ("0048 111 222 333", "+48111222333"),
        ("0049 30 1234567", "+49301234567"),
        ("+49 30 1234567", "+49301234567"),
        ("+1 212 555 0100", "+12125550100"),
        ("+86 10 1234 5678", "+861012345678"),
        ("+420 123 456", "+420123456"),  # 7 digits, the shortest allowed abroad
        ("+" + "3" * 15, "+" + "3" * 15),  # 15 digits, the longest E.164 allows
    ],
)
def test_valid_numbers_become_e164(typed, e164):
    assert normalise_external_number(typed) == e164


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", InvalidNumber.EMPTY),
        ("   ", InvalidNumber.EMPTY),
        ("12345", InvalidNumber.POLISH_LENGTH),
        ("abc", InvalidNumber.CHARACTERS),
        ("111 222 33a", InvalidNumber.CHARACTERS),
        ("+48 111 222 33a", InvalidNumber.CHARACTERS),
        ("111+222333", InvalidNumber.CHARACTERS),
        ("0048", InvalidNumber.POLISH_LENGTH),
        ("+48", InvalidNumber.POLISH_LENGTH),
        ("+48 1234 5678", InvalidNumber.POLISH_LENGTH),
        ("+48 111 222 3334", InvalidNumber.POLISH_LENGTH),
        ("+0123", InvalidNumber.COUNTRY_CODE),
        ("000 49 30 1234567", InvalidNumber.COUNTRY_CODE),
        ("11 222 333", InvalidNumber.POLISH_LENGTH),  # 8 Polish digits
        ("111 222 3334", InvalidNumber.POLISH_LENGTH),  # 10 Polish digits
        ("48111222333", InvalidNumber.POLISH_LENGTH),  # 48 without + is not guessed
        ("011 222 333", InvalidNumber.POLISH_LEADING_ZERO),
        ("+", InvalidNumber.INTERNATIONAL_LENGTH),
        ("00", InvalidNumber.INTERNATIONAL_LENGTH),
        ("+49 123", InvalidNumber.INTERNATIONAL_LENGTH),
        ("+" + "3" * 16, InvalidNumber.INTERNATIONAL_LENGTH),
        ("١١١٢٢٢٣٣٣", InvalidNumber.CHARACTERS),  # digits, but not ASCII ones
    ],
)
def test_invalid_numbers_are_refused_with_a_reason(typed, code):
    with pytest.raises(InvalidNumber) as error:
        normalise_external_number(typed)
    assert error.value.code == code
    assert isinstance(error.value, ValueError)


@pytest.mark.parametrize(
    ("e164", "shown"),
    [
        ("+48111222333", "+48 111 222 333"),
        ("+48943401128", "+48 943 401 128"),
        ("+49301234567", "+49 301234567"),
        ("+12125550100", "+1 2125550100"),
        ("+420123456789", "+420 123456789"),
        ("+861012345678", "+86 1012345678"),
        ("not a number", "not a number"),
        ("", ""),
    ],
)
def test_format_number_for_people(e164, shown):
    assert format_number(e164) == shown


@pytest.mark.parametrize(
    ("e164", "mobile"),
    [("+48501222333", True), ("+48881222333", True), ("+48111222333", False), ("+49151222333", False)],
)
def test_polish_mobile(e164, mobile):
    assert is_polish_mobile(e164) is mobile
