"""The SIP account pages as a customer's user sees them."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from pbx import choices
from pbx.models import SipAccount
from pbx.tests import factories
from pbx.tests.test_sip_forms import SECRET, form_data

pytestmark = pytest.mark.django_db

LIST = reverse("pbx:sip_accounts")
CREATE = reverse("pbx:sip_account_create")


def hidden_fields(html: str) -> dict:
    """The values the confirmation page carries, as the browser would post them back."""
    fields = {}
    for tag in re.findall(r"<input [^>]*type=\"hidden\"[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag).group(1)
        value = re.search(r'value="([^"]*)"', tag)
        fields[name] = value.group(1) if value else ""
    fields.pop("csrfmiddlewaretoken", None)
    return fields


def html_of(response) -> str:
    return response.content.decode()


# ------------------------------------------------------------------ list
@pytest.mark.smoke
def test_list_shows_only_own_accounts_with_their_columns(client_user, customer, other_customer):
    number = factories.phone_number(customer, number="+48943401128")
    eleven = factories.sip_account(customer, extension="11", password=SECRET)
    factories.sip_account(
        customer,
        extension="10",
        password=SECRET,
        caller_id=number,
        voicemail_enabled=True,
        voicemail_pin="1234",
        fwd_no_answer_kind=choices.ForwardKind.EXTENSION,
        fwd_no_answer_sip=eleven,
        fwd_busy_kind=choices.ForwardKind.VOICEMAIL,
    )
    factories.sip_account(other_customer, extension="77", password=SECRET)
    html = html_of(client_user.get(LIST))
    assert '<h1 class="h3 mb-3">Konta SIP (Wewnętrzne)</h1>' in html
    assert "firmaabcde_10" in html and "firmaabcde_11" in html
    assert "drugafirma_77" not in html and ">77<" not in html
    assert "+48943401128" in html
    assert "Numer zastrzeżony" in html  # 11 has no caller ID
    assert "Brak odpowiedzi → 11, Zajęty → poczta głosowa" in html


def test_list_search_by_extension_or_name(client_user, customer):
    factories.sip_account(customer, extension="10", password=SECRET, name="Sekretariat")
    factories.sip_account(customer, extension="21", password=SECRET, name="Księgowość")
    html = html_of(client_user.get(LIST, {"q": "księg"}))
    assert "firmaabcde_21" in html and "firmaabcde_10" not in html
    html = html_of(client_user.get(LIST, {"q": "10"}))
    assert "firmaabcde_10" in html and "firmaabcde_21" not in html
    assert "Brak pasujących kont SIP." in html_of(client_user.get(LIST, {"q": "nic"}))


def test_list_sorts_numerically_by_extension_and_by_name(client_user, customer):
    factories.sip_account(customer, extension="100", password=SECRET, name="Anna")
    factories.sip_account(customer, extension="20", password=SECRET, name="Celina")
    factories.sip_account(customer, extension="3000", password=SECRET, name="Beata")
    order = lambda html: re.findall(r"<code>firmaabcde_(\d+)</code>", html)  # noqa: E731
    assert order(html_of(client_user.get(LIST))) == ["20", "100", "3000"]
    assert order(html_of(client_user.get(LIST, {"sort": "-extension"}))) == ["3000", "100", "20"]
    assert order(html_of(client_user.get(LIST, {"sort": "name"}))) == ["100", "3000", "20"]
    assert order(html_of(client_user.get(LIST, {"sort": "-name"}))) == ["20", "3000", "100"]
    assert order(html_of(client_user.get(LIST, {"sort": "nonsense"}))) == ["20", "100", "3000"]


def test_list_paginates_by_25(client_user, customer):
    for number in range(100, 130):
        factories.sip_account(customer, extension=str(number))
    first = html_of(client_user.get(LIST))
    assert "Strona 1 z 2" in first and first.count("<code>firmaabcde_") == 25
    second = html_of(client_user.get(LIST, {"page": 2}))
    assert second.count("<code>firmaabcde_") == 5


# ------------------------------------------------------------------ create
def test_create_form_shows_sections_last_extension_and_no_greeting_file(client_user, customer):
    factories.sip_account(customer, extension="15", password=SECRET)
    factories.sip_account(customer, extension="11", password=SECRET)
    html = html_of(client_user.get(CREATE))
    for title in ("Ogólne", "Prezentacja numeru", "Poczta głosowa (Voice2Mail)", "Warunki przekierowania"):
        assert title in html
    assert "Opcje zaawansowane" in html
    assert "Ostatni dodany numer wew.: 11" in html
    assert "Wygeneruj losowe hasło" in html and "data-generate-password hidden" in html
    assert 'name="greeting_file"' not in html
    assert 'name="greeting_kind"' in html


def test_create_for_fax_reception_preselects_the_type(client_user):
    html = html_of(client_user.get(CREATE, {"type": "fax"}))
    assert '<option value="fax" selected>' in html


def test_create_shows_the_cost_confirmation_and_no_creates_nothing(client_user, customer):
    response = client_user.post(CREATE, form_data())
    html = html_of(response)
    assert response.status_code == 200
    assert "Konto SIP 10" in html and "0,00 zł" in html
    assert not SipAccount.objects.exists()
    carried = hidden_fields(html)
    assert carried["password"] == SECRET and carried["password_confirm"] == SECRET
    response = client_user.post(CREATE, {**carried, "confirm": "no"})
    assert response.status_code == 302 and response.url == LIST
    assert not SipAccount.objects.exists()


def test_create_yes_saves_and_shows_the_phone_configuration(client_user, customer, settings):
    settings.SIP_SERVER_HOST = "sip.centrala.example"
    settings.SIP_SERVER_PORT = 5080
    settings.SIP_TRANSPORTS = ["UDP", "TLS"]
    settings.SIP_REALM = "centrala.example"
    carried = hidden_fields(html_of(client_user.post(CREATE, form_data())))
    response = client_user.post(CREATE, {**carried, "confirm": "yes"})
    account = SipAccount.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("pbx:sip_account_detail", kwargs={"pk": account.pk})
    assert (account.customer, account.extension, account.name) == (customer, "10", "Sekretariat")
    html = html_of(client_user.get(response.url))
    assert "Numer wewnętrzny 10 został utworzony" in html
    assert "Dane do konfiguracji telefonu" in html
    for shown in ("sip.centrala.example", "5080", "UDP, TLS", "firmaabcde_10", "centrala.example"):
        assert shown in html
    assert SECRET not in html
    assert "Zoiper" in html and "Registrar" in html


def test_invalid_create_shows_errors_and_no_confirmation(client_user, customer):
    html = html_of(client_user.post(CREATE, form_data(extension="1", password_confirm="inne")))
    assert "Numer wewnętrzny musi mieć od 2 do 6 cyfr." in html
    assert "Hasła nie są identyczne." in html
    assert "cost-confirmation" not in html
    assert not SipAccount.objects.exists()


@pytest.mark.parametrize(
    "garbage",
    [
        {"ring_time": "dużo"},
        {"fwd_no_answer_kind": "extension", "fwd_no_answer_sip": "999999"},
        {"fwd_busy_kind": "teleport"},
        {"max_rate_mode": "own", "max_rate": "1e999"},
        {"caller_id": "abc"},
        {"extension": "٣٤"},
    ],
)
def test_garbage_input_is_a_form_error_not_a_crash(client_user, garbage):
    response = client_user.post(CREATE, {**form_data(**garbage), "confirm": "yes"})
    assert response.status_code == 200
    assert "invalid-feedback" in html_of(response)
    assert not SipAccount.objects.exists()


def test_a_forward_loop_is_refused_through_the_page(client_user, customer):
    ten = factories.sip_account(customer, extension="10", password=SECRET)
    eleven = factories.sip_account(
        customer,
        extension="11",
        password=SECRET,
        fwd_no_answer_kind=choices.ForwardKind.EXTENSION,
        fwd_no_answer_sip=ten,
    )
    data = form_data(password="", password_confirm="", fwd_no_answer_kind="extension", fwd_no_answer_sip=eleven.pk)
    html = html_of(client_user.post(reverse("pbx:sip_account_edit", kwargs={"pk": ten.pk}), data))
    assert "Przekierowania tworzą pętlę: 10 → 11 → 10." in html


# ------------------------------------------------------------------ edit
def test_edit_goes_through_the_confirmation_and_keeps_the_password(client_user, customer):
    account = factories.sip_account(customer, extension="10", password=SECRET)
    hashes = (account.ha1_md5, account.ha1_sha256)
    url = reverse("pbx:sip_account_edit", kwargs={"pk": account.pk})
    page = html_of(client_user.get(url))
    assert "Edycja konta SIP 10" in page and "Pozostaw puste, aby zachować obecne hasło." in page
    data = form_data(name="Recepcja", password="", password_confirm="", ring_time="45")
    carried = hidden_fields(html_of(client_user.post(url, data)))
    assert SipAccount.objects.get().name == "Konto 10"
    response = client_user.post(url, {**carried, "confirm": "yes"})
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.name, account.ring_time) == ("Recepcja", 45)
    assert (account.ha1_md5, account.ha1_sha256) == hashes


def test_edit_no_keeps_everything(client_user, customer):
    account = factories.sip_account(customer, extension="10", password=SECRET)
    url = reverse("pbx:sip_account_edit", kwargs={"pk": account.pk})
    carried = hidden_fields(html_of(client_user.post(url, form_data(name="Inna", password="", password_confirm=""))))
    response = client_user.post(url, {**carried, "confirm": "no"})
    assert response.url == reverse("pbx:sip_account_detail", kwargs={"pk": account.pk})
    assert SipAccount.objects.get().name == "Konto 10"


def test_edit_extension_without_password_is_refused(client_user, customer):
    account = factories.sip_account(customer, extension="10", password=SECRET)
    url = reverse("pbx:sip_account_edit", kwargs={"pk": account.pk})
    html = html_of(client_user.post(url, form_data(extension="12", password="", password_confirm="")))
    assert "Aby zmienić numer wewnętrzny, wpisz nowe hasło" in html
    assert SipAccount.objects.get().extension == "10"


def test_edit_offers_only_own_targets(client_user, customer, other_customer):
    account = factories.sip_account(customer, extension="10", password=SECRET)
    factories.sip_account(customer, extension="11", password=SECRET, name="Księgowość")
    factories.sip_account(other_customer, extension="12", password=SECRET, name="Obca")
    factories.external_number(other_customer, number="+48111222333")
    html = html_of(client_user.get(reverse("pbx:sip_account_edit", kwargs={"pk": account.pk})))
    assert "11 - Księgowość (firmaabcde_11)" in html
    assert "Obca" not in html and "+48111222333" not in html and "10 - Konto 10" not in html


# ------------------------------------------------------------------ detail
def test_detail_shows_settings_read_only(client_user, customer):
    number = factories.external_number(customer, number="+48111222333")
    account = factories.sip_account(
        customer,
        extension="10",
        password=SECRET,
        voicemail_enabled=True,
        voicemail_pin="2580",
        voicemail_email="biuro@firma.pl",
        fwd_unavailable_kind=choices.ForwardKind.EXTERNAL,
        fwd_unavailable_external=number,
        max_rate_mode=choices.MaxRateMode.OWN,
        max_rate=Decimal("0.05"),
    )
    html = html_of(client_user.get(reverse("pbx:sip_account_detail", kwargs={"pk": account.pk})))
    assert "<form" not in html.split("<main")[1].split("</main>")[0].replace('action="/i18n/setlang/"', "")
    assert "biuro@firma.pl" in html
    assert "+48111222333 (numer zewnętrzny)" in html
    assert "0,050 zł/min netto (0,062 zł/min brutto)" in html
    assert reverse("pbx:sip_account_edit", kwargs={"pk": account.pk}) in html
    assert reverse("pbx:sip_account_delete", kwargs={"pk": account.pk}) in html


# ------------------------------------------------------------------ delete
def test_delete_lists_usages_and_refuses(client_user, customer):
    target = factories.sip_account(customer, extension="11", password=SECRET)
    factories.sip_account(
        customer, extension="10", password=SECRET, fwd_busy_kind=choices.ForwardKind.EXTENSION, fwd_busy_sip=target
    )
    factories.phone_number(customer, number="+48943401128", route_kind=choices.RouteKind.EXTENSION, route_sip=target)
    url = reverse("pbx:sip_account_delete", kwargs={"pk": target.pk})
    page = html_of(client_user.get(url))
    assert "Cel przekierowania numeru wewnętrznego 10 Konto 10 (Zajęty)" in page
    assert "„Przekieruj na” numeru telefonu +48943401128" in page
    assert 'type="submit" class="btn btn-danger"' not in page
    response = client_user.post(url)
    assert response.status_code == 200
    assert "Numer wewnętrzny jest nadal używany, więc nie został usunięty." in html_of(response)
    assert SipAccount.objects.filter(pk=target.pk).exists()


def test_delete_an_unused_account_after_confirmation(client_user, customer):
    account = factories.sip_account(customer, extension="10", password=SECRET)
    url = reverse("pbx:sip_account_delete", kwargs={"pk": account.pk})
    assert "zostanie usunięty wraz ze wszystkimi ustawieniami" in html_of(client_user.get(url))
    assert SipAccount.objects.filter(pk=account.pk).exists()
    response = client_user.post(url)
    assert response.status_code == 302 and response.url == LIST
    assert not SipAccount.objects.filter(pk=account.pk).exists()
    assert "Numer wewnętrzny 10 został usunięty." in html_of(client_user.get(LIST))


def test_other_customers_account_cannot_be_edited_or_deleted(client_user, other_customer):
    foreign = factories.sip_account(other_customer, extension="10", password=SECRET)
    edit = reverse("pbx:sip_account_edit", kwargs={"pk": foreign.pk})
    assert client_user.post(edit, {**form_data(name="Przejęte"), "confirm": "yes"}).status_code == 404
    assert client_user.post(reverse("pbx:sip_account_delete", kwargs={"pk": foreign.pk})).status_code == 404
    foreign.refresh_from_db()
    assert foreign.name == "Konto 10"
