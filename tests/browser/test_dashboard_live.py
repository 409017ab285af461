"""Browser: the dashboard counts calls in progress as they come and go without a reload, warns about a monitored
extension that stopped answering and leads to it, where the phone's registration is shown."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pbx.kamailio.choices import HealthState
from pbx.tests import factories as pbx_factories
from simulator.live import answer_call, end_call, start_call

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
POLL_WAIT_MS = 12_000  # the cards refresh every 5 s


def test_calls_in_progress_are_counted_live_on_the_dashboard(logged_in_page, customer):
    page = logged_in_page
    calls = page.get_by_test_id("live-calls")
    expect(calls).to_have_text("0")
    page.evaluate("window.stillTheSamePage = true")

    call_id = start_call(customer=customer, caller="+48601100200", callee="+48221234567", extension="")
    answer_call(customer=customer, call_id=call_id)
    expect(calls).to_have_text("1", timeout=POLL_WAIT_MS)
    end_call(customer=customer, call_id=call_id)
    expect(calls).to_have_text("0", timeout=POLL_WAIT_MS)
    assert page.evaluate("window.stillTheSamePage") is True  # refreshed in place, not reloaded


def test_a_failing_extension_is_flagged_on_the_dashboard_and_its_registration_shown(logged_in_page, customer):
    account = pbx_factories.sip_account(
        customer, extension="10", password=pbx_factories.SIP_PASSWORD, monitor_health=True
    )
    now = timezone.now()
    pbx_factories.sip_health(account, state=HealthState.NO_ANSWER, checked_at=now, failing_since=now)
    pbx_factories.registration(
        f"{customer.prefix}_10",
        expires=now + datetime.timedelta(minutes=10),
        received="sip:198.51.100.4:40123",
        user_agent="Yealink T46U",
    )
    page = logged_in_page
    page.reload()
    warning = page.get_by_test_id("sip-health-warning")
    expect(warning).to_contain_text("Numer wewnętrzny 10 nie działa: nie odpowiada")

    warning.get_by_role("link").click()
    registration = page.get_by_test_id("registration")
    expect(page.get_by_test_id("registration-state")).to_have_text("zarejestrowany")
    expect(registration).to_contain_text("198.51.100.4:40123")
    expect(registration).to_contain_text("Yealink T46U")
    expect(page.get_by_test_id("monitoring-state")).to_contain_text("nie odpowiada")
