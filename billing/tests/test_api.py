"""The call-record HTTP API as a PBX integrator meets it: token, JSON, errors, tenancy, OpenAPI schema."""

import json

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from billing.choices import RatingStatus
from billing.models import CallRecord
from billing.rating_service import call_records_rate
from billing.tests.rating_support import call_payload, incoming
from panel.models import ApiToken

pytestmark = pytest.mark.django_db
CALLS = "/api/v1/calls/"


@pytest.fixture
def key(customer) -> str:
    return ApiToken.issue(customer=customer, name="Centrala w biurze")[1]


@pytest.fixture
def api(key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def post_raw(client, body: str):
    return client.post(CALLS, data=body, content_type="application/json")


@pytest.mark.smoke
def test_post_stores_the_call_and_a_repeat_answers_200_with_the_same_record(api, customer):
    payload = call_payload(call_id="pbx1-0100")
    first = api.post(CALLS, payload, format="json")
    assert first.status_code == 201
    body = first.json()
    record = CallRecord.objects.get()
    assert body == {"id": record.pk, "call_id": "pbx1-0100", "status": "pending", "created": True}
    assert record.customer == customer

    again = api.post(CALLS, payload, format="json")
    assert again.status_code == 200
    assert again.json() == {**body, "created": False}
    assert CallRecord.objects.count() == 1


def test_get_returns_the_rated_call_with_its_legs(api, customer):
    api.post(CALLS, incoming(call_id="pbx1-0101", forward_to="+48501222333", talk=60), format="json")
    call_records_rate(customer=customer)
    response = api.get(f"{CALLS}pbx1-0101/")
    assert response.status_code == 200
    body = response.json()
    assert (body["call_id"], body["direction"], body["status"], body["problem"]) == ("pbx1-0101", "in", "rated", "")
    assert (body["cost_net"], body["cost_gross"], body["talk_seconds"]) == ("0.11", "0.14", 60)
    inbound, forward = body["legs"]
    assert (inbound["kind"], inbound["billable"], inbound["cost_net"]) == ("inbound", False, None)
    assert (forward["from"], forward["to"], forward["destination"]) == (
        "+48943401128",
        "+48501222333",
        "Polska Komórka",
    )
    assert (forward["billed_seconds"], forward["rate_per_minute"], forward["cost_net"]) == (60, "0.1100", "0.11")


def test_another_customers_call_id_is_404_like_a_missing_one(api, other_customer):
    other_key = ApiToken.issue(customer=other_customer, name="Inna")[1]
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {other_key}")
    assert other.post(CALLS, call_payload(call_id="theirs-1"), format="json").status_code == 201

    foreign = api.get(f"{CALLS}theirs-1/")
    missing = api.get(f"{CALLS}nobody-1/")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    assert "detail" in foreign.json()


def test_the_same_call_id_of_another_customer_is_their_own_call(api, other_customer):
    other_key = ApiToken.issue(customer=other_customer, name="Inna")[1]
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {other_key}")
    assert api.post(CALLS, call_payload(call_id="shared-1"), format="json").status_code == 201
    assert other.post(CALLS, call_payload(call_id="shared-1"), format="json").status_code == 201
    assert CallRecord.objects.count() == 2


@pytest.mark.smoke
@pytest.mark.parametrize("header", [None, "Token wrong-key", "Token", "Bearer abc", "Token a b"])
def test_missing_or_bad_token_is_401_with_a_json_reason(header):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.post(CALLS, call_payload(), format="json")
    assert response.status_code == 401
    assert response.json()["detail"]
    assert response["WWW-Authenticate"] == "Token"
    assert not CallRecord.objects.exists()


def test_a_revoked_token_is_refused(api, key):
    ApiToken.objects.update(revoked_at=timezone.now())
    assert api.post(CALLS, call_payload(), format="json").status_code == 401


def test_a_session_login_is_not_an_api_key(client_user):
    assert client_user.post(CALLS, call_payload(), content_type="application/json").status_code == 401


@pytest.mark.smoke
@pytest.mark.parametrize("body", ['{"call_id": "x",', "", "not json", b"\xff\xfe{}"])
def test_malformed_json_is_400_with_a_clear_message(api, body):
    response = post_raw(api, body)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "JSON" in detail
    assert not CallRecord.objects.exists()


def test_invalid_fields_are_400_with_messages_per_field(api):
    payload = call_payload(direction="sideways")
    payload["start"] = "2025-01-31T10:15:00"  # no time zone
    payload["legs"][0]["kind"] = "teleport"
    response = api.post(CALLS, payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"]
    assert set(body["errors"]) == {"direction", "start", "legs"}
    assert set(body["errors"]["legs"]["0"]) == {"kind"}
    assert "+01:00" in body["errors"]["start"][0]


def test_a_json_array_is_refused(api):
    response = post_raw(api, json.dumps([call_payload()]))
    assert response.status_code == 400
    assert "non_field_errors" in response.json()["errors"]


def test_only_json_is_accepted(api):
    response = api.post(CALLS, {"call_id": "x"}, format="multipart")
    assert response.status_code == 415
    assert response.json()["detail"]


def test_reading_the_collection_is_not_offered(api):
    assert api.get(CALLS).status_code == 405


@pytest.mark.smoke
def test_the_openapi_schema_describes_the_call_endpoints(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    create = schema["paths"]["/api/v1/calls/"]["post"]
    assert create["operationId"] == "call_record_create"
    assert {"200", "201", "400", "401"} <= set(create["responses"])
    assert create["security"] == [{"customerToken": []}]
    retrieve = schema["paths"]["/api/v1/calls/{call_id}/"]["get"]
    assert {"200", "404"} <= set(retrieve["responses"])
    request_schema = schema["components"]["schemas"]["CallRecordIn"]
    assert {"call_id", "start", "end", "direction", "caller", "callee", "disposition", "legs"} <= set(
        request_schema["required"]
    )
    leg_schema = schema["components"]["schemas"]["CallLegIn"]
    assert {"kind", "from", "to", "start", "answer", "end"} <= set(leg_schema["properties"])
    assert schema["components"]["securitySchemes"]["customerToken"]["name"] == "Authorization"


def test_pending_status_is_reported_until_rated(api, customer):
    api.post(CALLS, call_payload(call_id="pbx1-0102"), format="json")
    assert api.get(f"{CALLS}pbx1-0102/").json()["status"] == RatingStatus.PENDING
    call_records_rate(customer=customer)
    assert api.get(f"{CALLS}pbx1-0102/").json()["status"] == RatingStatus.RATED
