"""Browser test: a customer traces a call at Saturday 20:00 through a scheme bound to a number and sees it end in
voicemail; then changes an answer and sees the route change."""

import pytest
from playwright.sync_api import expect

from pbx import choices
from pbx.tests import factories as pbx_factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WEEKDAYS_9_TO_17 = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")} | {"sat": [], "sun": []}


def node(kind, exits, label, **config):
    return {"type": kind, "label": label, "config": config, "exits": exits, "position": {"x": 0, "y": 0}}


@pytest.fixture
def helpline(customer):
    """Announcement → time condition → IVR → queue / voicemail, bound to +48 94 340 1128."""
    secretary = pbx_factories.sip_account(customer, extension="10", name="Sekretariat", voicemail_enabled=True)
    agent = pbx_factories.sip_account(customer, extension="11", name="Biuro")
    queue = pbx_factories.queue(customer, name="Obsługa", number="1000")
    pbx_factories.queue_agent(queue, sip=agent, position=0)
    graph = {
        "start": "hello",
        "nodes": {
            "hello": node("announcement", {"next": "hours"}, "Powitanie", greeting="system", text="Dzień dobry"),
            "hours": node(
                "time_condition",
                {"matched": "menu", "unmatched": "mailbox"},
                "Godziny pracy",
                hours=WEEKDAYS_9_TO_17,
                holidays=[],
                use_public_holidays=True,
            ),
            "menu": node(
                "ivr",
                {"1": "queue", "timeout": "mailbox", "invalid": "mailbox"},
                "Menu główne",
                options=["1"],
                timeout_seconds=5,
                max_attempts=2,
            ),
            "queue": node("queue", {"timeout": "mailbox"}, "Kolejka obsługi", queue=queue.pk),
            "mailbox": node("voicemail", {}, "Poczta sekretariatu", sip_account=secretary.pk),
        },
    }
    scheme = pbx_factories.scheme(customer, name="Infolinia", graph=graph)
    pbx_factories.phone_number(
        customer, number="+48943401128", route_kind=choices.RouteKind.SCHEME, route_scheme=scheme
    )
    return scheme


def test_trace_a_saturday_evening_call_to_voicemail(logged_in_page, live_server, helpline):
    page = logged_in_page
    page.locator("#main-menu").get_by_role("button", name="Centrala PRO", exact=True).click()
    page.locator("#main-menu").get_by_role("link", name="Sprawdź trasę połączenia", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sprawdź trasę połączenia")

    # The outgoing fields are hidden until "a call from an extension" is chosen.
    expect(page.get_by_label("Dzwoniący numer wewnętrzny")).to_be_hidden()
    page.get_by_label("Twój numer telefonu").select_option(label="+48 943 401 128")
    page.get_by_label("Numer dzwoniącego").fill("600 100 200")
    page.get_by_label("Data połączenia").fill("2026-03-28")
    page.get_by_label("Godzina połączenia").fill("20:00")
    page.get_by_role("button", name="Sprawdź trasę").click()

    outcome = page.get_by_test_id("outcome")
    expect(outcome).to_contain_text("Połączenie kończy się na poczcie głosowej")
    expect(outcome).to_contain_text("na poczcie głosowej numeru 10 Sekretariat")
    steps = page.get_by_test_id("step")
    expect(steps.nth(2)).to_contain_text("Element „Powitanie” odtwarza zapowiedź systemową. Treść: „Dzień dobry”.")
    expect(steps.nth(3)).to_contain_text("jest sobota, 2026-03-28 20:00, a w ten dzień nie ma godzin pracy")
    expect(page.get_by_test_id("visited")).to_have_text("PowitanieGodziny pracyPoczta sekretariatu")
    expect(page.get_by_test_id("route")).to_have_attribute("data-visited-nodes", '["hello", "hours", "mailbox"]')

    # On a Monday morning the caller reaches the menu; pressing nothing leads to voicemail too, key 1 to the queue.
    page.get_by_label("Data połączenia").fill("2026-03-30")
    page.get_by_label("Godzina połączenia").fill("10:00")
    page.get_by_role("button", name="Sprawdź trasę").click()
    expect(page.get_by_test_id("outcome")).to_contain_text("Odbiera konsultant 11 Biuro kolejki Obsługa")
    page.get_by_label("Który klawisz naciska dzwoniący w menu „Menu główne”?").select_option(label="Nic nie wybiera")
    page.get_by_role("button", name="Sprawdź trasę").click()
    expect(page.get_by_test_id("outcome")).to_contain_text("Połączenie kończy się na poczcie głosowej")
    expect(page.get_by_test_id("step").filter(has_text="Menu IVR")).to_contain_text("dzwoniący nic nie wybiera")


def test_trace_an_outgoing_call_refused_abroad(logged_in_page, live_server, customer):
    pbx_factories.sip_account(
        customer, extension="10", name="Sekretariat", international=choices.InternationalPermission.DENY
    )
    page = logged_in_page
    page.goto(f"{live_server.url}/pbx/tracer/")
    page.get_by_label("Połączenie z numeru wewnętrznego").check()
    expect(page.get_by_label("Twój numer telefonu")).to_be_hidden()
    page.get_by_label("Dzwoniący numer wewnętrzny").select_option(label="10 – Sekretariat")
    page.get_by_label("Wybierany numer").fill("+49 30 1234567")
    page.get_by_role("button", name="Sprawdź trasę").click()
    expect(page.get_by_test_id("outcome")).to_contain_text("Połączenie zostaje odrzucone")
    expect(page.get_by_test_id("outcome")).to_contain_text("nie ma zgody na połączenia międzynarodowe")
