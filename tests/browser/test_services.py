"""Browser test: a customer switches a paid service on (with consent) and off in "Usługi / Oferta"."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_switch_monitoring_on_and_off(logged_in_page, live_server):
    page = logged_in_page
    page.goto(f"{live_server.url}/billing/services/")
    row = page.locator('tr[data-service="monitoring"]')
    expect(row).to_contain_text("wyłączona")
    row.get_by_role("link", name=re.compile("Wył")).click()
    page.get_by_role("button", name="Dalej").click()
    confirmation = page.get_by_test_id("cost-confirmation")
    expect(confirmation).to_contain_text("Wyrażam zgodę na obciążenie mnie kosztami")
    expect(confirmation).to_contain_text("27,06 zł")
    page.get_by_role("button", name="Tak").click()
    expect(page.get_by_role("alert")).to_contain_text("włączona")
    expect(row).to_contain_text("włączona")
    row.get_by_role("link", name=re.compile("Wł")).click()
    page.get_by_role("button", name=re.compile("wyłącz")).click()
    expect(page.get_by_role("alert")).to_contain_text("zostanie wyłączona")
    expect(row).to_contain_text("włączona do")
