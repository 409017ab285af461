"""The monitoring page, its polled list and the "Słuchaj" / "Szeptaj" form, as a customer's user meets them."""

import pytest
from django.urls import reverse

from pbx.models import LiveCall, MonitorSession
from pbx.tests import factories
from pbx.tests.monitoring_support import live_call, monitoring_on
from simulator.live import end_call

pytestmark = pytest.mark.django_db
PAGE = reverse("pbx:monitoring")
LIVE = reverse("pbx:monitoring_live")


@pytest.fixture
def phones(customer):
    factories.sip_account(customer, extension="11", name="Agent Anna")
    return {
        "desk": factories.sip_account(customer, extension="12", name="Kierownik"),
        "mobile": factories.external_number(customer, number="+48501000001", description="Kierownik"),
    }


@pytest.fixture
def call(customer, phones) -> LiveCall:
    monitoring_on(customer)
    return LiveCall.objects.for_customer(customer).get(call_id=live_call(customer, extension="11"))


def form_url(call, mode="listen"):
    return f"{reverse('pbx:monitor_start', kwargs={'pk': call.pk})}?mode={mode}"


def test_without_the_service_the_page_explains_how_to_get_it_with_the_price(client_user, customer, phones):
    live_call(customer)
    page = client_user.get(PAGE).content.decode()
    assert "Monitorowanie połączeń" in page
    assert "22,00 zł netto" in page and "27,06 zł brutto" in page
    assert reverse("billing:services") in page
    assert "+48 601 100 200" not in page  # no list of calls without the service


def test_the_page_lists_the_customers_live_calls_only(client_user, customer, other_customer, call):
    live_call(other_customer, caller="+48609999999")
    ended = live_call(customer, caller="+48602000000")
    end_call(customer=customer, call_id=ended)
    for url in (PAGE, LIVE):
        page = client_user.get(url).content.decode()
        assert "+48 601 100 200" in page and "Agent Anna" in page
        assert "Słuchaj" in page and "Szeptaj" in page
        assert "+48 609 999 999" not in page and "+48 602 000 000" not in page
    assert 'hx-trigger="every 3s"' in client_user.get(PAGE).content.decode()


def test_whisper_is_disabled_on_a_call_without_an_agent(client_user, customer, call):
    no_agent = LiveCall.objects.get(call_id=live_call(customer, caller="+48603000000", extension=""))
    page = client_user.get(LIVE).content.decode()
    assert form_url(call, "whisper") in page
    assert form_url(no_agent, "whisper") not in page
    assert form_url(no_agent, "listen") in page


def test_listening_on_an_extension_starts_at_once(client_user, call, phones, commands, user):
    form = client_user.get(form_url(call)).content.decode()
    assert "WebRTC" in form
    response = client_user.post(
        form_url(call), {"mode": "listen", "target_kind": "extension", "extension": phones["desk"].pk}
    )
    assert response.status_code == 302 and response.url == PAGE
    assert [(sent["target"], sent["mode"]) for sent in commands.sent] == [("12", "listen")]
    session = MonitorSession.objects.get()
    assert (session.requested_by, session.status) == (user, "active")
    page = client_user.get(PAGE).content.decode()
    assert "wewn. 12" in page or "numer wewnętrzny 12" in page


def test_an_external_number_needs_the_per_minute_cost_confirmed(client_user, call, phones, commands):
    data = {"mode": "whisper", "target_kind": "external", "external_number": phones["mobile"].pk}
    confirmation = client_user.post(form_url(call, "whisper"), data)
    assert confirmation.status_code == 200
    text = confirmation.content.decode()
    assert 'data-testid="cost-confirmation"' in text
    assert "Polska Komórka" in text and "0,110 zł/min" in text and "0,135 zł/min" in text
    assert not commands.sent

    no = client_user.post(form_url(call, "whisper"), {**data, "confirm": "no"})
    assert no.status_code == 302 and not commands.sent and not MonitorSession.objects.exists()

    yes = client_user.post(form_url(call, "whisper"), {**data, "confirm": "yes"})
    assert yes.status_code == 302
    assert [(sent["target"], sent["target_kind"], sent["mode"]) for sent in commands.sent] == [
        ("+48501000001", "external", "whisper")
    ]


def test_whisper_without_an_agent_is_explained_in_the_form(client_user, customer, phones, commands):
    monitoring_on(customer)
    no_agent = LiveCall.objects.get(call_id=live_call(customer, extension=""))
    response = client_user.post(
        form_url(no_agent, "whisper"), {"mode": "whisper", "target_kind": "extension", "extension": phones["desk"].pk}
    )
    assert response.status_code == 200
    assert "nie ma konsultanta" in response.context["form"].errors["mode"][0]
    assert not commands.sent


def test_the_browser_is_shown_but_cannot_be_chosen(client_user, call, commands):
    form = client_user.get(form_url(call)).content.decode()
    assert 'value="browser"' in form and "disabled" in form
    response = client_user.post(form_url(call), {"mode": "listen", "target_kind": "browser"})
    assert response.status_code == 200
    assert "WebRTC" in response.context["form"].errors["target_kind"][0]
    assert not commands.sent


def test_another_customers_phone_is_an_invalid_choice(client_user, other_customer, call, commands):
    foreign = factories.sip_account(other_customer, extension="12")
    response = client_user.post(form_url(call), {"mode": "listen", "target_kind": "extension", "extension": foreign.pk})
    assert response.status_code == 200 and response.context["form"].errors["extension"]
    assert not commands.sent


def test_another_customers_call_is_404_and_nothing_is_sent(client_other, other_customer, call, commands):
    monitoring_on(other_customer)
    desk = factories.sip_account(other_customer, extension="12")
    assert client_other.get(form_url(call)).status_code == 404
    response = client_other.post(form_url(call), {"mode": "listen", "target_kind": "extension", "extension": desk.pk})
    assert response.status_code == 404
    assert not commands.sent and not MonitorSession.objects.exists()


def test_a_call_that_ended_meanwhile_sends_back_to_the_list(client_user, customer, call, phones, commands):
    end_call(customer=customer, call_id=call.call_id)
    response = client_user.post(
        form_url(call), {"mode": "listen", "target_kind": "extension", "extension": phones["desk"].pk}
    )
    assert response.status_code == 302 and response.url == PAGE
    assert not commands.sent


def test_the_polled_list_asks_for_a_reload_after_logging_out(client, customer):
    response = client.get(LIVE, headers={"HX-Request": "true"})
    assert response.status_code == 200 and response["HX-Refresh"] == "true"
    assert client.get(LIVE).status_code == 302  # an ordinary request goes to the log-in form


def test_with_no_other_phone_the_form_says_what_to_add(client_user, customer):
    monitoring_on(customer)
    factories.sip_account(customer, extension="11")  # only the agent on the call
    call = LiveCall.objects.get(call_id=live_call(customer, extension="11"))
    form = client_user.get(form_url(call)).content.decode()
    assert "Nie masz jeszcze innego telefonu do słuchania" in form
    assert reverse("pbx:sip_accounts") in form and reverse("pbx:external_numbers") in form
