"""The conference-event HTTP API as a PBX integrator meets it: token, JSON, idempotency, errors, tenancy."""

import pytest
from rest_framework.test import APIClient

from conferences import selectors
from conferences.models import ConferenceEvent
from conferences.tests import factories
from panel.models import ApiToken

pytestmark = pytest.mark.django_db
EVENTS = "/api/v1/conference-events/"


def _api(customer) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.issue(customer=customer, name='PBX')[1]}")
    return client


@pytest.fixture
def room(customer):
    return factories.room(factories.premium(customer))


def _join(event_id="pbx-1", **extra):
    return {
        "event_id": event_id,
        "room": "*7556",
        "kind": "join",
        "at": "2026-11-22T10:00:00+01:00",
        "channel": "leg-1",
        "number": "+48601222333",
        **extra,
    }


@pytest.mark.smoke
def test_a_join_is_applied_once_and_a_retry_answers_200(customer, room):
    api = _api(customer)
    first = api.post(EVENTS, _join(), format="json")
    assert first.status_code == 201, first.content
    assert first.json()["participants"] == 1
    again = api.post(EVENTS, _join(), format="json")
    assert again.status_code == 200 and again.json()["created"] is False
    assert selectors.live_count(customer=customer, room=room) == 1

    left = api.post(EVENTS, _join("pbx-2", kind="leave"), format="json")
    assert left.status_code == 201 and left.json()["participants"] == 0


def test_another_customers_room_is_not_found_and_nothing_changes(customer, other_customer, room):
    response = _api(other_customer).post(EVENTS, _join(), format="json")
    assert response.status_code == 404
    assert not ConferenceEvent.objects.exists()
    assert selectors.live_count(customer=customer, room=room) == 0


@pytest.mark.parametrize(
    "change, field",
    [
        ({"room": "7556"}, "room"),
        ({"kind": "dance"}, "kind"),
        ({"at": "2026-11-22T10:00:00"}, "at"),
        ({"channel": ""}, "channel"),
        ({"kind": "refused", "reason": ""}, "reason"),
    ],
)
def test_bad_events_are_refused_with_the_field_named(customer, room, change, field):
    response = _api(customer).post(EVENTS, _join(**change), format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not ConferenceEvent.objects.exists()


def test_no_token_no_entry(room):
    assert APIClient().post(EVENTS, _join(), format="json").status_code == 401
