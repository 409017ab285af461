"""Browser test: a new user creates an extension with voicemail and a forward, confirms the cost, sees it listed."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from panel.testing import PASSWORD
from pbx.models import SipAccount
from pbx.tests import factories as pbx_factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bookkeeping(customer):
    """Extension 11 (Księgowość) already exists: the target of the no-answer forward."""
    return pbx_factories.sip_account(customer, extension="11", name="Księgowość", password="Ksiegowa5haslo")


def test_create_sip_account_with_voicemail_and_forward(logged_in_page, live_server, bookkeeping):
    page = logged_in_page
    page.locator("#main-menu").get_by_role("button", name="Wirtualna Centrala", exact=True).click()
    page.locator("#main-menu").get_by_role("link", name="Konta SIP (Wewnętrzne)", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Konta SIP (Wewnętrzne)")

    page.get_by_role("button", name="Dodaj").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nowe konto SIP")
    expect(page.get_by_test_id("last-extension")).to_have_text("Ostatni dodany numer wew.: 11")

    page.get_by_label("Numer wewnętrzny", exact=True).fill("10")
    page.get_by_label("Nazwa konta SIP", exact=True).fill("Sekretariat")
    page.get_by_role("button", name="Wygeneruj losowe hasło").click()
    shown = page.locator("[data-generated-password-value]")
    expect(shown).to_have_text(re.compile(r"^\S{16}$"))
    password = shown.inner_text()
    expect(page.get_by_label("Hasło", exact=True)).to_have_value(password)
    expect(page.get_by_label("Potwierdź hasło", exact=True)).to_have_value(password)

    # Voicemail fields appear once the service is switched on.
    pin = page.get_by_label("Kod PIN poczty głosowej", exact=True)
    expect(pin).to_be_hidden()
    page.get_by_label("Włącz usługę poczty głosowej").check()
    pin.fill("2580")
    page.get_by_label("Adres mailowy", exact=True).fill("sekretariat@firmaabcde.example")

    page.get_by_label("Brak odpowiedzi", exact=True).select_option(label="Inny numer wewnętrzny")
    page.get_by_label("Brak odpowiedzi – numer wewnętrzny").select_option(label="11 - Księgowość (firmaabcde_11)")
    expect(page.get_by_label("Brak odpowiedzi – numer zewnętrzny")).to_be_hidden()
    page.get_by_role("button", name="Zapisz").click()

    confirmation = page.get_by_test_id("cost-confirmation")
    expect(confirmation.get_by_role("heading", level=1)).to_have_text("Konto SIP 10")
    expect(confirmation).to_contain_text("0,00 zł")
    confirmation.get_by_role("button", name="Tak").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Konto SIP 10")
    expect(page.get_by_role("alert")).to_contain_text("Numer wewnętrzny 10 został utworzony")
    expect(page.get_by_test_id("phone-config")).to_contain_text("firmaabcde_10")
    expect(page.get_by_test_id("voicemail-state")).to_have_text("włączone")

    page.get_by_role("link", name="Konta SIP (Wewnętrzne)").click()
    row = page.get_by_role("row").filter(has_text="firmaabcde_10")
    expect(row).to_contain_text("Sekretariat")
    expect(row).to_contain_text("włączone")
    expect(row).to_contain_text("Brak odpowiedzi → 11")

    account = SipAccount.objects.get(customer=bookkeeping.customer, extension="10")
    assert account.voicemail_enabled and account.fwd_no_answer_sip == bookkeeping
    assert account.ha1_md5 and password not in str(SipAccount.objects.filter(pk=account.pk).values().get())


def test_create_works_without_javascript(browser, live_server, user):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(live_server.url + reverse("pbx:sip_account_create"))

    expect(page.get_by_role("button", name="Wygeneruj losowe hasło")).to_be_hidden()
    expect(page.get_by_label("Kod PIN poczty głosowej", exact=True)).to_be_visible()  # nothing is hidden without JS
    page.get_by_label("Numer wewnętrzny", exact=True).fill("12")
    page.get_by_label("Hasło", exact=True).fill("Recepcja5haslo")
    page.get_by_label("Potwierdź hasło", exact=True).fill("Recepcja5haslo")
    page.get_by_role("button", name="Zapisz").click()
    page.get_by_test_id("cost-confirmation").get_by_role("button", name="Tak").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Konto SIP 12")
    context.close()
