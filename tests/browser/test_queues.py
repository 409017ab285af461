"""Browser test: a new user creates a queue, adds two agents and changes their ring order."""

import pytest
from playwright.sync_api import expect

from pbx.tests import factories as pbx_factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def agent_rows(page):
    return page.get_by_test_id("agent-row")


def test_create_queue_add_agents_and_reorder_by_drag_and_by_button(logged_in_page, live_server, customer):
    page = logged_in_page
    pbx_factories.sip_account(customer, extension="10", name="Sekretariat")
    pbx_factories.sip_account(customer, extension="11", name="Biuro")

    # Menu: Wirtualna Centrala > Kolejki, then a new queue with the suggested number.
    page.locator("#main-menu").get_by_role("button", name="Wirtualna Centrala", exact=True).click()
    page.locator("#main-menu").get_by_role("link", name="Kolejki", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kolejki")
    page.get_by_role("link", name="Dodaj kolejkę").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nowa kolejka")
    page.get_by_label("Nazwa kolejki").fill("Obsługa klienta")
    expect(page.get_by_label("Numer kolejki")).to_have_value("1000")
    page.get_by_label("Strategia dzwonienia").select_option(label="Po kolei")
    page.get_by_role("button", name="Zapisz").click()

    # The agents page: add the two extensions.
    expect(page.get_by_role("heading", level=1)).to_have_text("Konsultanci kolejki Obsługa klienta")
    expect(page.get_by_role("alert")).to_contain_text("Kolejka Obsługa klienta została utworzona")
    expect(page.get_by_text("Każdy numer wewnętrzny może stać się konsultantem")).to_contain_text("1000*1")
    for extension, name in (("10", "Sekretariat"), ("11", "Biuro")):
        page.get_by_label("Numer wewnętrzny").select_option(label=f"{extension} {name} (firmaabcde_{extension})")
        page.get_by_role("button", name="Dodaj numer wewnętrzny").click()
        expect(page.get_by_role("alert")).to_contain_text(f"firmaabcde_{extension}")
    expect(agent_rows(page)).to_have_count(2)
    expect(agent_rows(page).nth(0)).to_contain_text("firmaabcde_10")
    expect(agent_rows(page).nth(1)).to_contain_text("firmaabcde_11")

    # Drag extension 11 by its handle above extension 10.
    handle = agent_rows(page).nth(1).locator(".drag-handle")
    target = agent_rows(page).nth(0)
    handle.hover()
    page.mouse.down()
    box = target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 5, steps=10)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 2, steps=5)
    page.mouse.up()
    expect(page.get_by_role("status")).to_have_text("Kolejność dzwonienia została zapisana.")
    expect(agent_rows(page).nth(0)).to_contain_text("firmaabcde_11")

    page.reload()
    expect(agent_rows(page).nth(0)).to_contain_text("firmaabcde_11")
    expect(agent_rows(page).nth(1)).to_contain_text("firmaabcde_10")

    # The keyboard / no-JavaScript way: Move down.
    page.get_by_role("button", name="Przesuń w dół: firmaabcde_11 Biuro").click()
    expect(page.get_by_role("alert")).to_contain_text("Kolejność dzwonienia została zapisana")
    expect(agent_rows(page).nth(0)).to_contain_text("firmaabcde_10")
    expect(agent_rows(page).nth(1)).to_contain_text("firmaabcde_11")

    # The queue's page shows the codes and the ring order.
    page.get_by_role("link", name="Powrót do kolejki").click()
    expect(page.get_by_test_id("login-code")).to_have_text("1000*1")
    expect(page.get_by_test_id("logout-code")).to_have_text("1000*2")
    expect(page.get_by_test_id("static-agents").get_by_role("listitem").first).to_contain_text("firmaabcde_10")

    # Narrow phones: nothing is wider than the screen.
    page.set_viewport_size({"width": 375, "height": 800})
    page.get_by_role("link", name="Zarządzaj konsultantami i kolejnością").click()
    expect(agent_rows(page)).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
