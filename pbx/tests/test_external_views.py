"""The external-number pages as a customer uses them: list, add with the cost step, edit, delete."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse

from billing.models import TariffRate
from pbx import choices
from pbx.models import ExternalNumber
from pbx.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def default_tariff(db):
    """The default tariff of billing's data migration, also when a transactional test flushed it before."""
    importlib.import_module("billing.migrations.0002_seed_default_tariff").seed(apps, None)


LIST = reverse("pbx:external_numbers")
CREATE = reverse("pbx:external_number_create")


def edit_url(external_number):
    return reverse("pbx:external_number_edit", kwargs={"pk": external_number.pk})


def delete_url(external_number):
    return reverse("pbx:external_number_delete", kwargs={"pk": external_number.pk})


def payload(**data):
    return {"number": "501 222 333", "description": "Komórka Jana", "presentation": "passive", **data}


# List


@pytest.mark.smoke
def test_list_shows_own_numbers_formatted_and_not_other_customers(client_user, customer, other_customer):
    factories.external_number(
        customer,
        number="+48501222333",
        description="Komórka Jana",
        dtmf="12#",
        short_code="*022#",
        presentation=choices.ExternalPresentation.ACTIVE,
        may_transfer=True,
        sms_on_forward=True,
    )
    factories.external_number(other_customer, number="+48601999888", description="Obcy")
    page = client_user.get(LIST).content.decode()
    assert "<h1" in page and "Moje Numery Zewnętrzne" in page
    for text in ("+48 501 222 333", "Komórka Jana", "12#", "*022#", "Aktywna", "transfer połączeń", "SMS przy"):
        assert text in page
    assert "Obcy" not in page
    assert "+48 601 999 888" not in page


def test_empty_list_says_so(client_user):
    assert "Nie masz jeszcze numerów zewnętrznych." in client_user.get(LIST).content.decode()


@pytest.mark.parametrize(("query", "found"), [("Jan", True), ("501 222", True), ("*022", True), ("Ewa", False)])
def test_search(client_user, customer, query, found):
    factories.external_number(customer, number="+48501222333", description="Jan", short_code="*022#")
    factories.external_number(customer, number="+48601222333", description="Piotr")
    page = client_user.get(LIST, {"q": query}).content.decode()
    assert ("+48 501 222 333" in page) is found
    assert "+48 601 222 333" not in page


def test_pagination(client_user, customer):
    for index in range(30):
        factories.external_number(customer, number=f"+48501000{index:03d}")
    first = client_user.get(LIST).content.decode()
    second = client_user.get(LIST, {"page": 2}).content.decode()
    assert first.count("/edit/") == 25 * 2  # the number links and the Edit buttons
    assert second.count("/edit/") == 5 * 2
    assert "Strona 1 z 2" in first


def test_anonymous_is_sent_to_log_in(client):
    assert client.get(LIST).status_code == 302


# Create: the form, the cost confirmation, Nie / Tak


def test_create_form_has_every_field_with_polish_labels_and_help(client_user):
    page = client_user.get(CREATE).content.decode()
    for label in (
        "Numer telefonu",
        "Opis",
        "Sekwencja DTMF",
        "Short Code",
        "Prezentacja numeru",
        "Powyższy numer telefonu może wykonywać transfer połączeń",
        "wyślij na niego SMS z treścią numeru dzwoniącego",
        "SMS Premium",  # the help text of the SMS option
        "Prezentacja pasywna: faktyczny numer osoby dzwoniącej",
    ):
        assert label in page, label


def test_posting_the_form_shows_the_cost_of_the_destination_and_saves_nothing(client_user, customer):
    response = client_user.post(CREATE, payload())
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="cost-confirmation"' in page
    assert "Koszt połączeń przekierowanych na numer +48 501 222 333" in page
    assert "Polska Komórka" in page
    assert "0,110 zł/min" in page and "0,135 zł/min" in page
    assert "Wyrażam zgodę na obciążenie mnie kosztami" in page
    assert not ExternalNumber.objects.exists()


def test_landline_rate(client_user):
    page = client_user.post(CREATE, payload(number="12 345 67 89")).content.decode()
    assert "Polska Stacjonarne" in page
    assert "0,050 zł/min" in page and "0,062 zł/min" in page


def test_no_saves_nothing(client_user):
    response = client_user.post(CREATE, payload(confirm="no"), follow=True)
    assert "Anulowano" in response.content.decode()
    assert not ExternalNumber.objects.exists()


def test_yes_saves_with_a_success_message(client_user, customer):
    response = client_user.post(
        CREATE, payload(short_code="*022#", dtmf="1,2", may_transfer="True", confirm="yes"), follow=True
    )
    assert response.redirect_chain[-1][0] == LIST
    page = response.content.decode()
    assert "Zapisano numer zewnętrzny +48 501 222 333." in page
    saved = ExternalNumber.objects.get()
    assert saved.customer == customer
    assert (saved.number, saved.short_code, saved.dtmf, saved.may_transfer) == ("+48501222333", "*022#", "1,2", True)


def test_confirmation_carries_the_posted_values_to_yes(client_user):
    page = client_user.post(CREATE, payload(short_code="*022#", sms_on_forward="on")).content.decode()
    assert 'name="short_code" value="*022#"' in page
    assert 'name="sms_on_forward" value="True"' in page
    assert 'name="confirm" value="yes"' in page


def test_invalid_form_never_reaches_the_cost_step(client_user):
    page = client_user.post(CREATE, payload(number="12345", confirm="yes")).content.decode()
    assert "cost-confirmation" not in page
    assert "Polski numer ma 9 cyfr" in page
    assert not ExternalNumber.objects.exists()


def test_unpriced_destination_is_refused(client_user):
    TariffRate.objects.filter(prefix="+").delete()
    for answer in ({}, {"confirm": "yes"}):
        page = client_user.post(CREATE, payload(number="+86 10 1234 5678", **answer)).content.decode()
        assert "nie są objęte Twoją taryfą" in page
        assert "cost-confirmation" not in page
    assert not ExternalNumber.objects.exists()


def test_customer_specific_price_is_shown(client_user, customer):
    TariffRate.objects.filter(prefix="+4850").update(price_per_minute=Decimal("0.20"))
    page = client_user.post(CREATE, payload()).content.decode()
    assert "0,200 zł/min" in page and "0,246 zł/min" in page


def test_duplicate_number_is_refused_even_after_yes(client_user, customer):
    factories.external_number(customer, number="+48501222333")
    page = client_user.post(CREATE, payload(confirm="yes")).content.decode()
    assert "jest już na liście Twoich numerów zewnętrznych" in page
    assert ExternalNumber.objects.count() == 1


# Edit


def test_edit_shows_the_cost_step_and_saves_on_yes(client_user, customer):
    own = factories.external_number(customer, number="+48501222333", short_code="*022#")
    page = client_user.get(edit_url(own)).content.decode()
    assert 'value="+48 501 222 333"' in page
    assert "Edytuj numer zewnętrzny" in page
    page = client_user.post(edit_url(own), payload(number="+49 30 1234567", short_code="*022#")).content.decode()
    assert "Niemcy" in page and "0,090 zł/min" in page and "0,111 zł/min" in page
    own.refresh_from_db()
    assert own.number == "+48501222333"
    client_user.post(edit_url(own), payload(number="+49 30 1234567", short_code="*022#", confirm="yes"))
    own.refresh_from_db()
    assert (own.number, own.description, own.short_code) == ("+49301234567", "Komórka Jana", "*022#")


def test_edit_refuses_a_short_code_of_another_number(client_user, customer):
    factories.external_number(customer, number="+48601222333", short_code="*023#")
    own = factories.external_number(customer, number="+48501222333", short_code="*022#")
    page = client_user.post(edit_url(own), payload(short_code="*023#", confirm="yes")).content.decode()
    assert "Kod *023# jest już używany w Twojej centrali" in page
    own.refresh_from_db()
    assert own.short_code == "*022#"


def test_other_customers_number_cannot_be_edited_or_deleted(client_user, other_customer):
    foreign = factories.external_number(other_customer, number="+48501222333", description="Obcy")
    assert client_user.get(edit_url(foreign)).status_code == 404
    assert client_user.post(edit_url(foreign), payload(description="Mój", confirm="yes")).status_code == 404
    assert client_user.post(delete_url(foreign)).status_code == 404
    foreign.refresh_from_db()
    assert foreign.description == "Obcy"


# Delete


def test_delete_asks_first_then_deletes_on_post(client_user, customer):
    own = factories.external_number(customer, number="+48501222333")
    page = client_user.get(delete_url(own)).content.decode()
    assert "Usuń numer zewnętrzny" in page and "Czy na pewno?" in page
    assert ExternalNumber.objects.exists()
    response = client_user.post(delete_url(own), follow=True)
    assert "Usunięto numer zewnętrzny +48 501 222 333." in response.content.decode()
    assert not ExternalNumber.objects.exists()


def test_delete_is_refused_while_calls_are_forwarded_to_it(client_user, customer):
    own = factories.external_number(customer, number="+48501222333")
    factories.sip_account(
        customer, extension="10", name="Biuro", fwd_busy_kind=choices.ForwardKind.EXTERNAL, fwd_busy_external=own
    )
    factories.phone_number(customer, number="+48943401128", route_kind=choices.RouteKind.EXTERNAL, route_external=own)
    page = client_user.get(delete_url(own)).content.decode()
    assert "nie można go usunąć" in page
    assert "Konto SIP 10 Biuro: przekierowanie przy warunku „Zajęty”" in page
    assert "Numer telefonu +48 943 401 128: „Przekieruj na”" in page
    response = client_user.post(delete_url(own))
    assert response.status_code == 200
    assert "nadal są przekierowywane połączenia, więc nie został usunięty" in response.content.decode()
    assert ExternalNumber.objects.filter(pk=own.pk).exists()
