"""Browser: a new user authorizes an employee's mobile to order calls, sees the rate, confirms with Tak."""

import re

import pytest
from playwright.sync_api import expect

from callback.models import AuthorizedNumber
from pbx.models import OutgoingSms
from pbx.tests import factories as pbx_factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_authorize_a_number_with_the_cost_statement(logged_in_page, live_server, customer):
    pbx_factories.phone_number(customer, number="+48221234567")
    page = logged_in_page
    page.locator("#main-menu").get_by_role("button", name="Centrala PRO", exact=True).click()
    page.locator("#main-menu").get_by_role("link", name="Rozmowa na SMSa / Wdzwoń się", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rozmowa na SMSa / Wdzwoń się")
    expect(page.get_by_text("Zamów rozmowę SMS-em lub zadzwoń: +48 799 366 599")).to_be_visible()

    page.get_by_role("link", name="Upoważnij (dodaj) numer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upoważnij (dodaj) numer")
    page.get_by_label("Opis numeru", exact=True).fill("Jan Kowalski")
    page.get_by_label("Numer telefonu", exact=True).fill("888 777 666")
    page.get_by_label("Prezentacja numeru", exact=True).select_option(label="+48221234567")
    page.get_by_label("Kod PIN", exact=True).fill("1234567890")
    page.get_by_role("button", name="Dalej").click()

    confirmation = page.get_by_test_id("cost-confirmation")
    expect(confirmation.get_by_role("heading", level=1)).to_have_text(re.compile(r"\+48 888 777 666"))
    rate_row = confirmation.get_by_role("row").filter(has_text="Polska Komórka")
    expect(rate_row).to_contain_text("0,110 zł/min")
    expect(rate_row).to_contain_text("0,135 zł/min")
    expect(confirmation).to_contain_text("Wyrażam zgodę na obciążenie mojego salda")
    confirmation.get_by_role("button", name="Tak").click()

    expect(page.get_by_role("alert")).to_contain_text("Numer +48 888 777 666 może teraz zamawiać rozmowy.")
    row = page.get_by_test_id("authorized-numbers").get_by_role("row").filter(has_text="+48 888 777 666")
    expect(row).to_contain_text("Jan Kowalski")
    expect(row).to_contain_text("ustawiony")
    saved = AuthorizedNumber.objects.get()
    assert (saved.number, saved.pin) == ("+48888777666", "1234567890")
    assert OutgoingSms.objects.filter(to="+48888777666").exists()  # the instructions
