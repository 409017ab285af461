"""Browser: a customer buys teleconferences, creates a room, watches participants come and go, calls one in."""

import re

import pytest
from playwright.sync_api import expect

from conferences.models import ConferenceRoom
from conferences.tests import factories as conferences_factories
from pbx.tests import factories as pbx_factories
from simulator.conferences import simulate_dial_in, simulate_leave

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_buy_create_a_room_and_watch_the_live_view(logged_in_page, live_server, customer, rq):
    pbx_factories.phone_number(customer, number="+48324000004", description="Telekonferencje")
    page = logged_in_page
    page.locator("#main-menu").get_by_role("button", name="Wirtualna Centrala", exact=True).click()
    page.locator("#main-menu").get_by_role("link", name="Telekonferencje", exact=True).click()
    expect(page.get_by_test_id("conferences-unavailable")).to_contain_text("Premium i Elite")
    expect(page.get_by_test_id("conferences-unavailable")).to_contain_text("12,30 zł")

    page.get_by_role("link", name="Włącz w zakładce Usługi / Oferta").click()
    row = page.locator('tr[data-service="conference_3_days"]')
    row.get_by_role("link", name=re.compile("Wył")).click()
    page.get_by_role("button", name="Dalej").click()
    expect(page.get_by_test_id("cost-confirmation")).to_contain_text("12,30 zł")
    page.get_by_role("button", name="Tak").click()
    expect(page.get_by_role("alert")).to_contain_text("włączona")

    page.goto(f"{live_server.url}/conferences/")
    expect(page.get_by_text(re.compile("Telekonferencje są włączone do"))).to_be_visible()
    page.get_by_role("link", name="Stwórz nową salę telekonferencyjną").click()
    page.get_by_label("Nazwa sali", exact=True).fill("Telekonferencje z Klientami")
    page.get_by_label("Kod PIN", exact=True).fill("45")
    page.get_by_label("Numer wewnętrzny", exact=True).fill("*7556")
    page.get_by_label("Numer miejski", exact=True).select_option(label="+48 324 000 004 - Telekonferencje")
    page.get_by_role("button", name="Zapisz").click()
    expect(page.get_by_text("Kod PIN ma od 4 do 8 cyfr.")).to_be_visible()
    page.get_by_label("Kod PIN", exact=True).fill("4545")
    page.get_by_role("button", name="Zapisz").click()
    expect(page.get_by_role("alert")).to_contain_text("Sala Telekonferencje z Klientami jest gotowa.")
    expect(page.get_by_test_id("participant-count")).to_have_text("0")

    # Callers dial the public number while the page is open: the view follows without a reload.
    room = ConferenceRoom.objects.get()
    first = simulate_dial_in(customer=customer, room=room, caller="+48601000001")
    simulate_dial_in(customer=customer, room=room, caller="+48601000002", pins=["1111", "4545"])
    simulate_dial_in(customer=customer, room=room, caller="+48601000003", pins=["1", "2", "3"])
    expect(page.get_by_test_id("participant-count")).to_have_text("2", timeout=8000)
    participants = page.get_by_test_id("participants")
    expect(participants).to_contain_text("+48601000001")
    expect(participants).to_contain_text("+48601000002")
    expect(page.get_by_test_id("events")).to_contain_text("trzykrotnie błędny PIN")

    simulate_leave(customer=customer, room=room, channel=first.channel)
    expect(page.get_by_test_id("participant-count")).to_have_text("1", timeout=8000)
    expect(participants).not_to_contain_text("+48601000001")


def test_call_a_participant_in_now(logged_in_page, live_server, customer, rq):
    from rq import SimpleWorker

    room = conferences_factories.room(conferences_factories.premium(customer))
    page = logged_in_page
    page.goto(f"{live_server.url}/conferences/")
    page.get_by_role("row").filter(has_text="Zarząd").get_by_role(
        "link", name="Dodaj uczestnika do obecnej konferencji"
    ).click()
    page.get_by_label("Numer telefonu", exact=True).fill("601 222 333")
    page.get_by_role("button", name="Dalej").click()
    confirmation = page.get_by_test_id("cost-confirmation")
    expect(confirmation.get_by_role("row").filter(has_text="Polska Komórka")).to_contain_text("0,110 zł/min")
    page.get_by_role("button", name="Tak").click()
    expect(page.get_by_role("alert")).to_contain_text("Dzwonimy teraz do +48 601 222 333")

    queue = rq.get_queue("high")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)  # the worker places the call
    expect(page.get_by_test_id("participants")).to_contain_text("+48601222333", timeout=8000)
    expect(page.get_by_test_id("dial-outs")).to_contain_text("wykonane", timeout=8000)
    assert room.participants.filter(left_at__isnull=True).count() == 1
