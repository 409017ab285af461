"""The SIP account form: its own rules, the narrowed choices and the service rules shown on fields."""

import pytest

from pbx import choices
from pbx.forms.sip import SipAccountForm
from pbx.models import SipAccount
from pbx.tests import factories

pytestmark = pytest.mark.django_db

SECRET = "Tajne5hasloX"


def form_data(**overrides) -> dict:
    """What the browser posts for a new voice account with default settings."""
    data = {
        "extension": "10",
        "name": "Sekretariat",
        "account_type": "voice",
        "password": SECRET,
        "password_confirm": SECRET,
        "caller_id": "",
        "internal_presentation": "real",
        "internal_substitute": "",
        "sms_sender": "",
        "ring_time": "30",
        "call_waiting": "on",
        "voicemail_pin": "",
        "voicemail_email": "",
        "greeting_kind": "system",
        "voicemail_on_no_answer": "on",
        "return_after": "30",
        "return_action": "voicemail",
        "international": "global",
        "max_rate_mode": "global",
        "max_rate": "",
        "outgoing_pin": "",
    }
    for condition in ("no_answer", "busy", "unavailable"):
        data.update({f"fwd_{condition}_kind": "none", f"fwd_{condition}_sip": "", f"fwd_{condition}_external": ""})
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def bound(customer, instance=None, **overrides):
    return SipAccountForm(form_data(**overrides), customer=customer, instance=instance)


@pytest.mark.smoke
def test_defaults_with_a_password_are_valid(customer):
    form = bound(customer)
    assert form.is_valid(), form.errors
    assert form.service_fields()["extension"] == "10"
    assert "password" not in form.service_fields()


def test_the_greeting_file_is_not_in_the_form(customer):
    form = SipAccountForm(customer=customer)
    assert "greeting_file" not in form.fields
    assert "greeting_kind" in form.fields


def test_password_is_required_on_create(customer):
    form = bound(customer, password="", password_confirm="")
    assert not form.is_valid()
    assert form.errors["password"] == ["To pole jest wymagane."]


def test_confirmation_must_match(customer):
    form = bound(customer, password_confirm="Tajne5hasloY")
    assert not form.is_valid()
    assert form.errors["password_confirm"] == ["Hasła nie są identyczne."]


def test_weak_password_is_explained(customer):
    form = bound(customer, password="haslo10abc", password_confirm="haslo10abc")
    assert not form.is_valid()
    assert form.errors["password"] == ["Hasło nie może zawierać numeru wewnętrznego."]


def test_password_is_optional_on_edit(customer):
    account = factories.sip_account(customer, extension="10", password=SECRET)
    form = bound(customer, instance=account, password="", password_confirm="", name="Recepcja")
    assert form.is_valid(), form.errors


def test_changing_the_extension_on_edit_asks_for_a_password(customer):
    account = factories.sip_account(customer, extension="10", password=SECRET)
    form = bound(customer, instance=account, extension="12", password="", password_confirm="")
    assert not form.is_valid()
    assert "Aby zmienić numer wewnętrzny, wpisz nowe hasło" in form.errors["password"][0]
    form = bound(customer, instance=account, extension="12", password="NoweHaslo77", password_confirm="NoweHaslo77")
    assert form.is_valid(), form.errors


@pytest.mark.parametrize("extension", ["1", "1234567", "ab", "1 0"])
def test_bad_extension_numbers(customer, extension):
    form = bound(customer, extension=extension)
    assert not form.is_valid()
    assert "extension" in form.errors


def test_dial_plan_collision_with_a_queue_is_shown(customer):
    factories.queue(customer, name="Sprzedaż", number="100")
    form = bound(customer, extension="100")
    assert not form.is_valid()
    assert form.errors["extension"] == ["Ten numer jest już zajęty w Twojej centrali: kolejka Sprzedaż."]


@pytest.mark.parametrize(("value", "valid"), [("4", False), ("5", True), ("300", True), ("301", False), ("x", False)])
def test_ring_time_and_return_after_limits(customer, value, valid):
    form = bound(customer, ring_time=value, return_after=value)
    assert form.is_valid() is valid
    if not valid:
        assert {"ring_time", "return_after"} <= set(form.errors)


def test_voicemail_needs_a_pin_and_a_valid_email(customer):
    form = bound(customer, voicemail_enabled="on", voicemail_email="zly-adres")
    assert not form.is_valid()
    assert form.errors["voicemail_pin"] == ["Ustaw kod PIN, aby korzystać z poczty głosowej."]
    assert "voicemail_email" in form.errors
    form = bound(customer, voicemail_enabled="on", voicemail_pin="12", voicemail_email="biuro@firma.pl")
    assert form.errors["voicemail_pin"] == ["Kod PIN musi mieć od 4 do 8 cyfr."]
    assert bound(customer, voicemail_enabled="on", voicemail_pin="2580", voicemail_email="biuro@firma.pl").is_valid()


def test_own_max_rate_accepts_a_polish_decimal(customer):
    form = bound(customer, max_rate_mode="own", max_rate="")
    assert form.errors["max_rate"] == ["Wpisz własną maksymalną stawkę minutową."]
    assert "max_rate" in bound(customer, max_rate_mode="own", max_rate="-1").errors
    assert "max_rate" in bound(customer, max_rate_mode="own", max_rate="dużo").errors
    form = bound(customer, max_rate_mode="own", max_rate="0,50")
    assert form.is_valid(), form.errors
    assert str(form.cleaned_data["max_rate"]) == "0.50"


def test_outgoing_pin_is_required_when_ticked_and_dropped_when_not(customer):
    form = bound(customer, require_outgoing_pin="on")
    assert form.errors["outgoing_pin"] == ["Wpisz kod PIN, który dzwoniący musi podać."]
    form = bound(customer, outgoing_pin="1234")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["outgoing_pin"] == ""
    assert bound(customer, require_outgoing_pin="on", outgoing_pin="1234").is_valid()


def test_choices_are_narrowed_to_the_customer(customer, other_customer):
    own = factories.sip_account(customer, extension="11", password=SECRET)
    foreign = factories.sip_account(other_customer, extension="12", password=SECRET)
    own_number = factories.external_number(customer, number="+48111222333")
    factories.external_number(other_customer, number="+48111222444")
    factories.phone_number(other_customer, number="+48943401128")
    form = SipAccountForm(customer=customer)
    assert list(form.fields["fwd_no_answer_sip"].queryset) == [own]
    assert list(form.fields["fwd_busy_external"].queryset) == [own_number]
    assert list(form.fields["caller_id"].queryset) == []
    assert foreign not in form.fields["fwd_unavailable_sip"].queryset


def test_the_account_itself_is_not_offered_as_a_target(customer):
    account = factories.sip_account(customer, extension="10", password=SECRET)
    other = factories.sip_account(customer, extension="11", password=SECRET)
    form = SipAccountForm(customer=customer, instance=account)
    assert list(form.fields["fwd_no_answer_sip"].queryset) == [other]
    posted = bound(customer, instance=account, fwd_no_answer_kind="extension", fwd_no_answer_sip=str(account.pk))
    assert "fwd_no_answer_sip" in posted.errors


def test_posting_another_customers_account_as_forward_target_is_an_error(customer, other_customer):
    foreign = factories.sip_account(other_customer, extension="11", password=SECRET)
    form = bound(customer, fwd_no_answer_kind="extension", fwd_no_answer_sip=str(foreign.pk))
    assert not form.is_valid()
    assert form.errors["fwd_no_answer_sip"] == [
        "Wybierz poprawną wartość. Podana nie jest jednym z dostępnych wyborów."
    ]


def test_posting_another_customers_external_number_or_phone_number_is_an_error(customer, other_customer):
    number = factories.external_number(other_customer, number="+48111222333")
    did = factories.phone_number(other_customer, number="+48943401128")
    form = bound(customer, fwd_busy_kind="external", fwd_busy_external=str(number.pk), caller_id=str(did.pk))
    assert not form.is_valid()
    assert set(form.errors) == {"fwd_busy_external", "caller_id"}


def test_forward_kind_needs_its_target(customer):
    form = bound(customer, fwd_unavailable_kind="external")
    assert form.errors["fwd_unavailable_external"] == [
        "Wybierz numer zewnętrzny, na który mają być przekierowane połączenia."
    ]


def test_forward_to_own_external_number(customer):
    number = factories.external_number(customer, number="+48111222333")
    form = bound(customer, fwd_unavailable_kind="external", fwd_unavailable_external=str(number.pk))
    assert form.is_valid(), form.errors


def test_forwarding_loop_is_a_form_error(customer):
    ten = factories.sip_account(customer, extension="10", password=SECRET)
    factories.sip_account(
        customer, extension="11", password=SECRET, fwd_no_answer_kind="extension", fwd_no_answer_sip=ten
    )
    eleven = SipAccount.objects.get(extension="11")
    form = bound(
        customer,
        instance=ten,
        password="",
        password_confirm="",
        fwd_no_answer_kind="extension",
        fwd_no_answer_sip=str(eleven.pk),
    )
    assert not form.is_valid()
    assert form.non_field_errors() == ["Przekierowania tworzą pętlę: 10 → 11 → 10."]


def test_forward_to_voicemail_needs_voicemail(customer):
    form = bound(customer, fwd_no_answer_kind="voicemail")
    assert "fwd_no_answer_kind" in form.errors
    form = bound(customer, fwd_no_answer_kind="voicemail", voicemail_enabled="on", voicemail_pin="1234")
    assert form.is_valid(), form.errors


def test_substitute_presentation_needs_a_number(customer):
    form = bound(customer, internal_presentation=choices.InternalPresentation.SUBSTITUTE)
    assert "internal_substitute" in form.errors
    assert bound(customer, internal_presentation="substitute", internal_substitute="+48500").is_valid()


def test_sections_hold_every_field_once(customer):
    form = SipAccountForm(customer=customer)
    names = []
    for section in form.sections():
        for row in section.rows:
            names += [field.name for field in row["group"].fields] if "group" in row else [row["field"].name]
    names += [name for row in form.forward_rows() for name in (row["kind"].name, row["sip"].name, row["external"].name)]
    assert sorted(names) == sorted(form.fields)
    assert [section.title for section in form.sections()] == [
        "Ogólne",
        "Prezentacja numeru",
        "Poczta głosowa (Voice2Mail)",
        "Warunki przekierowania",
        "Opcje zaawansowane",
    ]
