"""Browser test: a customer traces a call of an employee's mobile to the service number ("Wdzwoń się")."""

import pytest
from playwright.sync_api import expect

from callback.tests import factories as callback_factories
from pbx.tests import factories as pbx_factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_trace_a_dial_in_with_a_pin(logged_in_page, live_server, customer):
    did = pbx_factories.phone_number(customer, number="+48943401128")
    callback_factories.authorized_number(
        customer, description="Jan Kowalski", number="+48600100200", presentation=did, pin="4321"
    )
    page = logged_in_page
    page.goto(f"{live_server.url}/pbx/tracer/")
    page.get_by_label("Wdzwoń się (numer usługi)").check()
    expect(page.get_by_label("Twój numer telefonu")).to_be_hidden()
    page.get_by_label("Dzwoniący upoważniony numer").select_option(label="+48 600 100 200 – Jan Kowalski")
    page.get_by_role("button", name="Sprawdź trasę").click()

    expect(page.get_by_test_id("outcome")).to_contain_text("odbiera i zostaje połączony z dzwoniącym")
    expect(page.get_by_test_id("steps")).to_contain_text("Numer usługi prosi o kod PIN upoważnionego numeru.")

    # A number in China costs more than the global maximum rate.
    page.get_by_label("Jaki numer dzwoniący wpisuje na numerze usługi?").select_option(
        label="Komórka w Chinach (+86 138 1234 5678)"
    )
    page.get_by_role("button", name="Sprawdź trasę").click()
    expect(page.get_by_test_id("outcome")).to_contain_text("Połączenie zostaje odrzucone")
