"""Browser: on "Numery Telefonu" a user forwards one number to an extension and another to an external number."""

import re

import pytest
from playwright.sync_api import expect

from pbx.models import PhoneNumber
from pbx.tests import factories as pbx_factories
from tests.browser.test_external_numbers import add_external_number, default_tariff, open_menu_entry  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def numbers(customer):
    pbx_factories.sip_account(customer, extension="10", name="Biuro")
    return (
        pbx_factories.phone_number(customer, number="+48943401128", area="Polska > Koszalin"),
        pbx_factories.phone_number(customer, number="+48223001122", area="Polska > Warszawa"),
    )


@pytest.mark.usefixtures("default_tariff")
def test_route_numbers_to_an_extension_and_an_external_number(logged_in_page, live_server, numbers):
    page = logged_in_page
    add_external_number(page, number="501 222 333", description="Komórka Jana")

    open_menu_entry(page, "Wirtualna Centrala", "Numery Telefonu")
    expect(page.get_by_role("heading", level=1)).to_have_text("Numery Telefonu")
    koszalin = page.get_by_role("region", name=re.compile("943 401 128"))
    warszawa = page.get_by_role("region", name=re.compile("223 001 122"))
    expect(koszalin).to_contain_text("Polska > Koszalin")

    koszalin.get_by_label("Opis", exact=True).fill("Infolinia")
    koszalin.get_by_label("Przekieruj na", exact=True).select_option(label="10 – Biuro (firmaabcde_10)")
    warszawa.get_by_label("Przekieruj na", exact=True).select_option(label="+48 501 222 333 – Komórka Jana")
    page.get_by_role("button", name="Zapisz ustawienia dla zakupionych numerów").click()

    expect(page.get_by_role("alert")).to_contain_text("Zapisano ustawienia Twoich numerów.")
    page.reload()
    expect(koszalin.get_by_label("Przekieruj na", exact=True).locator("option:checked")).to_have_text(
        "10 – Biuro (firmaabcde_10)"
    )
    expect(warszawa.get_by_label("Przekieruj na", exact=True).locator("option:checked")).to_have_text(
        "+48 501 222 333 – Komórka Jana"
    )
    expect(koszalin.get_by_label("Opis", exact=True)).to_have_value("Infolinia")
    first, second = (PhoneNumber.objects.get(pk=number.pk) for number in numbers)
    assert (first.route_kind, first.route_sip.extension, first.description) == ("extension", "10", "Infolinia")
    assert (second.route_kind, second.route_external.number) == ("external", "+48501222333")


def test_a_bad_row_is_marked_and_nothing_is_saved(logged_in_page, live_server, numbers):
    page = logged_in_page
    page.goto(f"{live_server.url}/pbx/phone-numbers/")
    koszalin = page.get_by_role("region", name=re.compile("943 401 128"))
    warszawa = page.get_by_role("region", name=re.compile("223 001 122"))
    koszalin.get_by_label("Opis", exact=True).fill("Infolinia")
    warszawa.get_by_label("CLIP prefiks", exact=True).fill("ŻÓŁW")
    page.get_by_role("button", name="Zapisz ustawienia dla zakupionych numerów").click()

    expect(page.get_by_role("alert").first).to_contain_text("Nic nie zostało zapisane")
    expect(warszawa).to_contain_text("CLIP prefiks to najwyżej 10 liter lub cyfr.")
    expect(koszalin.get_by_label("Opis", exact=True)).to_have_value("Infolinia")
    assert not PhoneNumber.objects.filter(description="Infolinia").exists()
