"""The call-event and live-call API as a PBX integrator meets it: token, JSON, repeats, errors and tenancy."""

import pytest
from rest_framework.test import APIClient

from panel.models import ApiToken
from pbx.models import LiveCall, MonitorSession
from pbx.tests import factories
from pbx.tests.monitoring_support import monitoring_on

pytestmark = pytest.mark.django_db
EVENTS = "/api/v1/call-events/"
LIVE = "/api/v1/live-calls/"


def api_for(customer) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.issue(customer=customer, name='PBX')[1]}")
    return client


@pytest.fixture
def api(customer):
    return api_for(customer)


@pytest.fixture
def other_api(other_customer):
    return api_for(other_customer)


def started(call_id="pbx1-0001", **fields):
    return {
        "event_id": f"{call_id}-started",
        "call_id": call_id,
        "kind": "started",
        "at": "2026-03-10T10:15:00+01:00",
        "direction": "in",
        "caller": "+48601100200",
        "callee": "+48221234567",
        "extension": "11",
        **fields,
    }


def test_an_event_answers_201_and_the_same_event_again_200(api, customer):
    first = api.post(EVENTS, started(), format="json")
    assert first.status_code == 201
    assert first.json()["created"] is True
    assert first.json()["call"]["state"] == "ringing"
    again = api.post(EVENTS, started(), format="json")
    assert again.status_code == 200 and again.json()["created"] is False
    assert LiveCall.objects.for_customer(customer).count() == 1


def test_errors_say_which_field_is_wrong(api):
    response = api.post(EVENTS, started(at="2026-03-10T10:15:00", kind="ringing"), format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"at", "kind"}
    assert api.post(EVENTS, data="{", content_type="application/json").status_code == 400
    assert api.post(EVENTS, data="", content_type="application/json").status_code == 400


def test_without_a_key_nothing_is_stored(client):
    assert APIClient().post(EVENTS, started(), format="json").status_code == 401
    assert not LiveCall.objects.exists()


def test_another_customers_events_never_touch_my_call(api, other_api, customer):
    api.post(EVENTS, started(), format="json")
    ended = {"event_id": "x-ended", "call_id": "pbx1-0001", "kind": "ended", "at": "2026-03-10T10:16:00+01:00"}
    assert other_api.post(EVENTS, ended, format="json").status_code == 201  # its own call with that id
    assert LiveCall.objects.for_customer(customer).get().state == "ringing"
    assert other_api.get(LIVE).json() == []


def test_the_list_of_live_calls_is_the_customers_own(api, other_api):
    api.post(EVENTS, started(at=None) | {"at": "2099-01-01T10:00:00+01:00"}, format="json")
    other_api.post(EVENTS, started("pbx9-0009") | {"at": "2099-01-01T10:00:00+01:00"}, format="json")
    assert [call["call_id"] for call in api.get(LIVE).json()] == ["pbx1-0001"]


def live(api, call_id="pbx1-0001"):
    from django.utils import timezone

    api.post(EVENTS, started(call_id) | {"at": timezone.now().isoformat()}, format="json")
    return f"{LIVE}{call_id}/monitor/"


def test_monitoring_through_the_api_sends_the_command(api, customer, commands):
    monitoring_on(customer)
    factories.sip_account(customer, extension="12")
    response = api.post(live(api), {"mode": "listen", "target_kind": "extension", "target": "12"}, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["status"], response.json()["target"]) == ("active", "12")
    assert [(sent["call_id"], sent["target"]) for sent in commands.sent] == [("pbx1-0001", "12")]


def test_another_customers_call_id_in_a_monitor_command_is_404(api, other_api, customer, other_customer, commands):
    url = live(api)
    monitoring_on(other_customer)
    factories.sip_account(other_customer, extension="12")
    response = other_api.post(url, {"mode": "listen", "target_kind": "extension", "target": "12"}, format="json")
    assert response.status_code == 404
    assert not commands.sent and not MonitorSession.objects.exists()


def test_monitoring_needs_the_service_and_a_live_call(api, customer, commands):
    factories.sip_account(customer, extension="12")
    url = live(api)
    body = {"mode": "listen", "target_kind": "extension", "target": "12"}
    off = api.post(url, body, format="json")
    assert off.status_code == 403 and "Usługi / Oferta" in off.json()["detail"]
    monitoring_on(customer)
    api.post(
        EVENTS, {"event_id": "e", "call_id": "pbx1-0001", "kind": "ended", "at": "2099-01-01T00:00:00Z"}, format="json"
    )
    assert api.post(url, body, format="json").status_code == 409
    whisper = api.post(live(api, "pbx1-0002"), {**body, "mode": "whisper", "target": "13"}, format="json")
    assert whisper.status_code == 400 and "target" in whisper.json()["errors"]
    assert not commands.sent


def test_the_openapi_schema_describes_the_endpoints(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    text = response.content.decode()
    for operation in ("call_event_create", "live_call_list", "live_call_monitor"):
        assert operation in text
