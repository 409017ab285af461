"""Browser: a new user adds an external number, sees its per-minute cost, confirms, and finds it on the list."""

import importlib
import re

import pytest
from django.apps import apps
from playwright.sync_api import expect

from pbx.models import ExternalNumber

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def default_tariff(db):
    """The tariff seeded by billing's data migration (a transactional test flushes it away afterwards)."""
    importlib.import_module("billing.migrations.0002_seed_default_tariff").seed(apps, None)


def open_menu_entry(page, group: str, entry: str) -> None:
    page.locator("#main-menu").get_by_role("button", name=group, exact=True).click()
    page.locator("#main-menu").get_by_role("link", name=entry, exact=True).click()


def add_external_number(page, *, number: str, description: str) -> None:
    """What a user does: menu → "Dodaj numer zewnętrzny" → fill in → "Dalej" → check the cost → "Tak"."""
    open_menu_entry(page, "Wirtualna Centrala", "Moje Numery Zewnętrzne")
    expect(page.get_by_role("heading", level=1)).to_have_text("Moje Numery Zewnętrzne")
    page.get_by_role("link", name="Dodaj numer zewnętrzny").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dodaj numer zewnętrzny")
    page.get_by_label("Numer telefonu", exact=True).fill(number)
    page.get_by_label("Opis", exact=True).fill(description)
    page.get_by_label("Short Code", exact=True).fill("*022#")
    page.get_by_label("Prezentacja numeru", exact=True).select_option(label="Aktywna: pokaż numer, na który dzwoniono")
    page.get_by_label("Powyższy numer telefonu może wykonywać transfer połączeń").check()
    page.get_by_role("button", name="Dalej").click()

    confirmation = page.get_by_test_id("cost-confirmation")
    expect(confirmation.get_by_role("heading", level=1)).to_have_text(re.compile(r"\+48 501 222 333"))
    expect(confirmation).to_contain_text("Wyrażam zgodę na obciążenie mnie kosztami")
    rate_row = confirmation.get_by_role("row").filter(has_text="Polska Komórka")
    expect(rate_row).to_contain_text("0,110 zł/min")
    expect(rate_row).to_contain_text("0,135 zł/min")
    confirmation.get_by_role("button", name="Tak").click()


def test_add_an_external_number_with_the_cost_confirmation(logged_in_page, live_server, default_tariff):
    page = logged_in_page
    add_external_number(page, number="501 222 333", description="Komórka Jana")

    expect(page).to_have_url(re.compile(r"/pbx/external-numbers/$"))
    expect(page.get_by_role("alert")).to_contain_text("Zapisano numer zewnętrzny +48 501 222 333.")
    row = page.get_by_test_id("external-numbers").get_by_role("row").filter(has_text="+48 501 222 333")
    expect(row).to_contain_text("Komórka Jana")
    expect(row).to_contain_text("*022#")
    expect(row).to_contain_text("Aktywna")
    expect(row).to_contain_text("transfer połączeń")
    saved = ExternalNumber.objects.get()
    assert (saved.number, saved.short_code, saved.presentation, saved.may_transfer) == (
        "+48501222333",
        "*022#",
        "active",
        True,
    )


def test_mistakes_are_explained_and_no_on_the_cost_step_saves_nothing(logged_in_page, live_server, default_tariff):
    page = logged_in_page
    page.goto(f"{live_server.url}/pbx/external-numbers/new/")
    page.get_by_label("Numer telefonu", exact=True).fill("12 34")
    page.get_by_label("Short Code", exact=True).fill("022")
    page.get_by_role("button", name="Dalej").click()
    expect(page.get_by_text("Polski numer ma 9 cyfr (np. 111 222 333)")).to_be_visible()
    expect(page.get_by_text("Short Code wygląda tak: *022#")).to_be_visible()

    page.get_by_label("Numer telefonu", exact=True).fill("0049 30 1234567")
    page.get_by_label("Short Code", exact=True).fill("")
    page.get_by_role("button", name="Dalej").click()
    confirmation = page.get_by_test_id("cost-confirmation")
    expect(confirmation.get_by_role("row").filter(has_text="Niemcy")).to_contain_text("0,090 zł/min")
    confirmation.get_by_role("button", name="Nie").click()
    expect(page.get_by_role("alert")).to_contain_text("Anulowano")
    expect(page.get_by_text("Nie masz jeszcze numerów zewnętrznych.")).to_be_visible()
    assert not ExternalNumber.objects.exists()
