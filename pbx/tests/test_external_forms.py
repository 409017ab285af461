"""Every rule of the external-number form, with valid and invalid input."""

import pytest

from pbx.forms.external import ExternalNumberForm
from pbx.tests import factories

pytestmark = pytest.mark.django_db


def form_for(customer, instance=None, **data):
    payload = {"number": "501 222 333", "presentation": "passive", **data}
    return ExternalNumberForm(data=payload, customer=customer, instance=instance)


def errors_of(form, field):
    assert not form.is_valid()
    return " ".join(form.errors[field])


def test_minimal_valid_form_stores_e164(customer):
    form = form_for(customer)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["number"] == "+48501222333"
    assert form.cleaned_data["short_code"] == ""
    assert form.cleaned_data["dtmf"] == ""


def test_all_fields_valid(customer):
    form = form_for(
        customer,
        number="+49 30 1234567",
        description="Biuro w Berlinie",
        dtmf="12,,34#*",
        short_code="*022#",
        presentation="active",
        may_transfer="on",
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["number"] == "+49301234567"
    assert form.cleaned_data["dtmf"] == "12,,34#*"
    assert form.cleaned_data["may_transfer"] is True


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12345", "Polski numer ma 9 cyfr"),
        ("abc", "tylko cyfry"),
        ("0048", "Polski numer ma 9 cyfr"),
        ("+0123", "nigdy nie zaczyna się od 0"),
        ("11 222 333", "Polski numer ma 9 cyfr"),
        ("111 222 3334", "Polski numer ma 9 cyfr"),
        ("+49 123", "od 7 do 15 cyfr"),
        ("", "To pole jest wymagane"),
    ],
)
def test_invalid_number_gets_a_polish_message(customer, typed, message):
    assert message in errors_of(form_for(customer, number=typed), "number")


def test_duplicate_number_in_any_spelling_is_refused(customer):
    factories.external_number(customer, number="+48501222333")
    assert "jest już na liście" in errors_of(form_for(customer, number="+48 501-222-333"), "number")


def test_same_number_of_another_customer_is_fine(customer, other_customer):
    factories.external_number(other_customer, number="+48501222333")
    assert form_for(customer).is_valid()


def test_editing_keeps_its_own_number_and_short_code(customer):
    own = factories.external_number(customer, number="+48501222333", short_code="*022#")
    form = form_for(customer, instance=own, short_code="*022#", description="nowy opis")
    assert form.is_valid(), form.errors


def test_edit_form_shows_the_number_formatted(customer):
    own = factories.external_number(customer, number="+48501222333")
    assert ExternalNumberForm(instance=own, customer=customer)["number"].value() == "+48 501 222 333"


def test_own_phone_number_would_loop(customer):
    factories.phone_number(customer, number="+48943401128")
    assert "zapętlenie" in errors_of(form_for(customer, number="94 340 11 28"), "number")


@pytest.mark.parametrize("dtmf", ["123", "1,2,3", "*#", ",,,", "12 34"])
def test_valid_dtmf(customer, dtmf):
    form = form_for(customer, dtmf=dtmf)
    assert form.is_valid(), form.errors
    assert " " not in form.cleaned_data["dtmf"]


@pytest.mark.parametrize("dtmf", ["12a", "1-2", "+48", "1;2", "x" * 41])
def test_invalid_dtmf(customer, dtmf):
    assert errors_of(form_for(customer, dtmf=dtmf), "dtmf")


@pytest.mark.parametrize("code", ["*0#", "*022#", "*123456#", " *022# "])
def test_valid_short_code(customer, code):
    form = form_for(customer, short_code=code)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["short_code"] == code.strip()


@pytest.mark.parametrize("code", ["022", "*022", "022#", "*#", "**022#", "*02a#", "#022*"])
def test_invalid_short_code_format(customer, code):
    assert "*022#" in errors_of(form_for(customer, short_code=code), "short_code")


def test_too_long_short_code(customer):
    assert "co najwyżej 8 znaków" in errors_of(form_for(customer, short_code="*1234567#"), "short_code")


def test_short_code_unique_in_the_customer(customer):
    factories.external_number(customer, number="+48601222333", short_code="*022#")
    message = errors_of(form_for(customer, short_code="*022#"), "short_code")
    assert "już używany" in message
    assert "+48601222333" in message


def test_short_code_of_another_customer_does_not_collide(customer, other_customer):
    factories.external_number(other_customer, number="+48601222333", short_code="*022#")
    assert form_for(customer, short_code="*022#").is_valid()


def test_short_code_must_not_collide_with_the_dial_plan(customer):
    # *98 is the voicemail access code: dialling *98# would reach voicemail first.
    assert "poczty głosowej" in errors_of(form_for(customer, short_code="*98#"), "short_code")


def test_short_code_against_queue_and_extension_codes(customer):
    factories.queue(customer, name="Sprzedaż", number="600")
    factories.sip_account(customer, extension="10", name="Biuro")
    assert form_for(customer, short_code="*600#").is_valid()
    assert form_for(customer, short_code="*10#").is_valid()


def test_sms_only_to_polish_mobiles(customer):
    assert form_for(customer, number="501 222 333", sms_on_forward="on").is_valid()
    assert "polskie numery komórkowe" in errors_of(
        form_for(customer, number="12 345 67 89", sms_on_forward="on"), "sms_on_forward"
    )
    assert errors_of(form_for(customer, number="+49 30 1234567", sms_on_forward="on"), "sms_on_forward")


def test_presentation_must_be_one_of_the_choices(customer):
    assert errors_of(form_for(customer, presentation="loud"), "presentation")
