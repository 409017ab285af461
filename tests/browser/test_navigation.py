"""Browser tests: a person logs in as demo, sees the dashboard and walks every menu entry."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from centrala.navigation import NAVIGATION

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_data(settings):
    call_command("seed_demo", force=True)


def log_in(page, base_url, username="demo", password="demo12345"):
    page.goto(f"{base_url}/login/")
    page.get_by_label("Nazwa użytkownika").fill(username)
    page.get_by_label("Hasło").fill(password)
    page.get_by_role("button", name="Zaloguj się").click()


@pytest.mark.parametrize("width", [1440, 375])
def test_demo_logs_in_and_walks_every_menu_entry(page, live_server, demo_data, width):
    page.set_viewport_size({"width": width, "height": 900})
    statuses = []
    page.on("response", lambda response: statuses.append((response.status, response.url)))
    log_in(page, live_server.url)
    expect(page.get_by_role("heading", name=re.compile("Pulpit"))).to_be_visible()
    expect(page.get_by_test_id("package")).to_have_text("Biznes")
    expect(page.get_by_test_id("balance")).to_contain_text("307,50 zł")

    for group in NAVIGATION:
        for entry in group.entries:
            if width < 992:
                page.get_by_role("button", name="Pokaż menu").click()
            page.locator("#main-menu").get_by_role("button", name=str(group.label), exact=True).click()
            page.locator("#main-menu").get_by_role("link", name=str(entry.label), exact=True).click()
            page.wait_for_url(f"{live_server.url}{entry.url}")
            expect(page.get_by_role("heading", level=1)).to_have_text(str(entry.label))
    bad = [(status, url) for status, url in statuses if status >= 400]
    assert not bad, bad
    # Nothing is wider than the viewport (the layout is responsive).
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_five_wrong_passwords_lock_with_a_polish_message(page, live_server, demo_data):
    for _ in range(5):
        log_in(page, live_server.url, password="zle-haslo")
    expect(page.get_by_role("alert")).to_contain_text("Zbyt wiele nieudanych prób logowania")
    log_in(page, live_server.url)
    expect(page.get_by_role("alert")).to_contain_text("zablokowane na 15 minut")
    expect(page).to_have_url(re.compile(r"/login/$"))


def test_language_switcher_in_the_footer(page, live_server, demo_data):
    log_in(page, live_server.url)
    page.get_by_label("Język").select_option("en")
    page.get_by_role("button", name="Zmień").click()
    expect(page.get_by_role("heading", name=re.compile("Dashboard"))).to_be_visible()
    expect(page.locator("nav")).to_contain_text("Virtual PBX")


def test_other_customers_user_page_is_not_found(page, live_server, demo_data):
    from panel.models import User

    foreign = User.objects.get(username="drugi")
    log_in(page, live_server.url)
    response = page.goto(f"{live_server.url}/account/users/{foreign.pk}/")
    assert response.status == 404
