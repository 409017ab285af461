"""Browser: a supervisor watches live calls come and go without reloading, listens on a mobile after confirming
its per-minute cost, and the monitoring leg lands in the call record; without the service the page says how
to get it."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from billing.models import CallRecord
from pbx.models import MonitorSession
from pbx.tests import factories as pbx_factories
from pbx.tests.monitoring_support import monitoring_on
from simulator.live import answer_call, end_call, start_call

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
POLL_WAIT_MS = 10_000  # the list polls every 3 s


def open_monitoring(page) -> None:
    page.locator("#main-menu").get_by_role("button", name="Centrala PRO", exact=True).click()
    page.locator("#main-menu").get_by_role("link", name="Monitorowanie połączeń", exact=True).click()
    # The heading is the menu entry's label.
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Monitor(owanie|ing) połączeń$"))


def test_without_the_service_the_page_explains_how_to_get_it(logged_in_page, customer):
    page = logged_in_page
    open_monitoring(page)
    off = page.get_by_test_id("monitoring-service-off")
    expect(off).to_contain_text("Słuchaj")
    expect(page.get_by_test_id("monitoring-price")).to_contain_text("22,00 zł netto (27,06 zł brutto) miesięcznie")
    off.get_by_role("link", name="Przejdź do „Usługi / Oferta”").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Usługi")


def test_calls_come_and_go_live_and_listening_on_a_mobile_is_billed(logged_in_page, customer):
    monitoring_on(customer)
    pbx_factories.sip_account(customer, extension="11", name="Agent Anna")
    pbx_factories.sip_account(customer, extension="12", name="Kierownik")
    pbx_factories.external_number(customer, number="+48501000001", description="Kierownik, komórka")
    page = logged_in_page
    open_monitoring(page)
    expect(page.get_by_test_id("no-live-calls")).to_have_text("Teraz nie trwa żadne połączenie.")
    page.evaluate("window.stillTheSamePage = true")

    call_id = start_call(customer=customer, caller="+48601100200", callee="+48221234567", extension="11")
    answer_call(customer=customer, call_id=call_id)
    row = page.get_by_test_id("live-calls").get_by_role("row").filter(has_text="+48 601 100 200")
    expect(row).to_contain_text("Agent Anna", timeout=POLL_WAIT_MS)
    expect(row).to_contain_text("w toku")
    expect(row.get_by_role("link", name="Szeptaj")).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is True  # no reload

    row.get_by_role("link", name="Słuchaj").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Monitoruj połączenie")
    expect(page.get_by_label("W przeglądarce")).to_be_disabled()
    expect(page.get_by_test_id("browser-unavailable")).to_contain_text("WebRTC")
    expect(page.get_by_label("Słuchaj")).to_be_checked()
    page.get_by_label("Na numerze zewnętrznym (płatne jak zwykłe połączenie)").check()
    page.get_by_label("Numer zewnętrzny", exact=True).select_option(
        label="+48 501 000 001 – Kierownik, komórka (0,110 zł/min netto)"
    )
    page.get_by_role("button", name="Dalej").click()

    confirmation = page.get_by_test_id("cost-confirmation")
    expect(confirmation.get_by_role("heading", level=1)).to_have_text("Koszt słuchania na numerze +48 501 000 001")
    rate_row = confirmation.get_by_role("row").filter(has_text="Polska Komórka")
    expect(rate_row).to_contain_text("0,110 zł/min")
    expect(rate_row).to_contain_text("0,135 zł/min")
    confirmation.get_by_role("button", name="Tak").click()

    expect(page.get_by_role("alert")).to_contain_text("Rozpoczęto słuchanie: +48 501 000 001")
    expect(page.get_by_test_id("active-monitoring")).to_contain_text("Słuchanie: +48 501 000 001")
    session = MonitorSession.objects.get()
    assert (session.mode, session.target_kind, session.target, session.status) == (
        "listen", "external", "+48501000001", "active",
    )  # fmt: skip

    page.evaluate("window.stillTheSamePage = true")
    end_call(customer=customer, call_id=call_id, at=session.leg_answered_at + timedelta(seconds=60))
    expect(page.get_by_test_id("no-live-calls")).to_be_visible(timeout=POLL_WAIT_MS)
    expect(page.get_by_text("Teraz nikt nie monitoruje żadnego połączenia.")).to_be_visible()
    expect(page.get_by_test_id("monitoring-history")).to_contain_text("zakończone razem z połączeniem")
    assert page.evaluate("window.stillTheSamePage") is True

    record = CallRecord.objects.get(call_id=call_id)
    monitor_leg = record.legs.get(kind="monitor")
    assert (monitor_leg.destination, monitor_leg.billable) == ("+48501000001", True)
