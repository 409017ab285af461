"""The strength rules of SIP passwords (pbx/passwords.py, no database)."""

import pytest

from pbx import passwords

pytestmark = pytest.mark.smoke

USERNAME = "firmaabcde_10"


def problems(password, username=USERNAME, extension="10"):
    return passwords.password_problems(password, username=username, extension=extension)


def test_a_long_password_with_letters_and_digits_is_strong():
    assert problems("Tajne5hasloX") == []
    assert problems("abcdefghi7") == []  # exactly 10 characters


def test_nine_characters_are_too_short():
    assert problems("abcdefgh7") == [passwords.TOO_SHORT]


def test_letters_are_required():
    assert problems("5555555555555") == [passwords.NO_LETTER]


def test_digits_are_required():
    assert problems("TylkoLiteryTutaj") == [passwords.NO_DIGIT]


def test_the_sip_user_name_is_refused_in_any_case():
    assert passwords.CONTAINS_USERNAME in problems("xFIRMAABCDE_10x9")
    assert passwords.CONTAINS_USERNAME not in problems("xfirmaabcde_11x9", extension="11x")


def test_the_extension_number_is_refused():
    assert problems("Haslo10Bardzo", username="") == [passwords.CONTAINS_EXTENSION]
    assert problems("Haslo11Bardzo", username="") == []


def test_several_problems_are_all_reported():
    assert problems("10") == [passwords.TOO_SHORT, passwords.NO_LETTER, passwords.CONTAINS_EXTENSION]


def test_generated_passwords_pass_the_rules_and_differ():
    generated = {passwords.generate_password(username=USERNAME, extension="10") for _ in range(50)}
    assert len(generated) == 50
    for password in generated:
        assert len(password) == 16
        assert problems(password) == []


def test_a_generated_password_shorter_than_the_minimum_is_refused():
    with pytest.raises(ValueError):
        passwords.generate_password(length=9)
