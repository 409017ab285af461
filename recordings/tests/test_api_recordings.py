"""The recording upload API: token auth, validation, 201 / 200 / 409, refusals, the OpenAPI description."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from billing.tests import factories as billing_factories
from panel.models import ApiToken
from pbx.tests.audio_factory import make_mp3, make_wav, truncated_mp3
from recordings.models import Recording
from recordings.storage import get_storage

pytestmark = pytest.mark.django_db

URL = "/api/v1/recordings/"
STARTED = "2026-03-29T10:15:30+02:00"


@pytest.fixture
def storage(settings, tmp_path):
    settings.RECORDINGS_ROOT = tmp_path / "recordings"
    return get_storage()


@pytest.fixture
def key(customer):
    return ApiToken.issue(customer=customer, name="PBX")[1]


def upload(client, key, content=None, *, name="rec.mp3", **fields):
    data = {"call_id": "call-1", "started_at": STARTED, "direction": "in", "caller": "+48600100200", "callee": "10"}
    data.update(fields)
    if content is not None:
        data["file"] = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    headers = {"Authorization": f"Token {key}"} if key else {}
    return client.post(URL, data, headers=headers)


def test_upload_stores_the_recording_and_answers_201(client, customer, key, storage):
    content = make_mp3(2.0)
    response = upload(client, key, content)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] is True
    assert body["path"] == "2026/03/29/2026-03-29_10-15-30_in_48600100200_10.mp3"
    assert body["size_bytes"] == len(content)
    recording = Recording.objects.get(pk=body["id"])
    assert recording.customer == customer
    assert storage.local_path(recording.path).read_bytes() == content


def test_same_upload_again_answers_200_already_stored(client, customer, key, storage):
    content = make_wav(1.0)
    first = upload(client, key, content, name="a.wav")
    second = upload(client, key, content, name="a.wav")
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["created"] is False
    assert "Już zapisane" in second.json()["detail"]
    assert second.json()["id"] == first.json()["id"]
    assert Recording.objects.count() == 1


def test_different_file_for_the_same_call_answers_409(client, customer, key, storage):
    upload(client, key, make_mp3(1.0))
    response = upload(client, key, make_mp3(2.0))
    assert response.status_code == 409
    assert "inne nagranie połączenia call-1" in response.json()["detail"]
    assert Recording.objects.count() == 1


@pytest.mark.smoke
def test_no_token_or_a_wrong_token_answers_401(client, customer, storage):
    assert upload(client, None, b"x").status_code == 401
    assert upload(client, "wrong-key", b"x").status_code == 401
    assert not Recording.objects.exists()


def test_revoked_token_answers_401(client, customer, storage):
    token, key = ApiToken.issue(customer=customer, name="old")
    token.revoked_at = datetime.now(tz=UTC)
    token.save()
    assert upload(client, key, make_mp3(1.0)).status_code == 401


@pytest.mark.parametrize(
    ("fields", "content", "field"),
    [
        ({}, None, "file"),
        ({"call_id": ""}, b"x", "call_id"),
        ({"call_id": "a/b"}, b"x", "call_id"),
        ({"started_at": "2026-03-29T10:15:30"}, b"x", "started_at"),
        ({"direction": "up"}, b"x", "direction"),
    ],
    ids=["no-file", "no-call-id", "bad-call-id", "naive-time", "bad-direction"],
)
def test_invalid_requests_answer_400_per_field(client, customer, key, storage, fields, content, field):
    response = upload(client, key, content, **fields)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] and field in body["errors"]


@pytest.mark.parametrize(
    "content", [b"plain text, not audio\n" * 50, truncated_mp3(4.0)], ids=["renamed-text", "truncated-mp3"]
)
def test_bad_audio_answers_400_and_stores_nothing(client, customer, key, storage, content):
    response = upload(client, key, content)
    assert response.status_code == 400
    assert "file" in response.json()["errors"]
    assert not Recording.objects.exists()
    assert not list(storage.root.rglob("*.mp3")) if storage.root.exists() else True


def test_unreported_call_without_its_data_answers_400(client, customer, key, storage):
    response = client.post(
        URL,
        {"call_id": "unknown", "file": SimpleUploadedFile("a.mp3", make_mp3(1.0))},
        headers={"Authorization": f"Token {key}"},
    )
    assert response.status_code == 400
    assert "started_at" in response.json()["detail"]


def test_reported_call_needs_no_data_with_the_upload(client, customer, key, storage):
    billing_factories.call_record(
        customer,
        call_id="reported",
        started_at=datetime(2026, 2, 1, 9, 0, tzinfo=UTC),
        wait_seconds=0,
        talk_seconds=300,
        direction="out",
        caller="10",
        callee="+48501222333",
    )
    response = client.post(
        URL,
        {"call_id": "reported", "file": SimpleUploadedFile("a.mp3", make_mp3(1.0))},
        headers={"Authorization": f"Token {key}"},
    )
    assert response.status_code == 201
    assert response.json()["path"] == "2026/02/01/2026-02-01_10-00-00_out_10_48501222333.mp3"


def test_another_customers_call_cannot_be_referenced(client, customer, other_customer, key, storage):
    billing_factories.call_record(
        other_customer,
        call_id="theirs",
        started_at=datetime(2026, 2, 1, 9, 0, tzinfo=UTC),
        wait_seconds=0,
        talk_seconds=300,
        direction="out",
        caller="1",
        callee="2",
    )
    response = client.post(
        URL,
        {"call_id": "theirs", "file": SimpleUploadedFile("a.mp3", make_mp3(1.0))},
        headers={"Authorization": f"Token {key}"},
    )
    assert response.status_code == 400  # not found among this customer's calls: its data is asked for
    # Sent with its own data, the recording is the uploader's own, never the other customer's.
    response = upload(client, key, make_mp3(1.0), call_id="theirs")
    assert response.status_code == 201
    assert Recording.objects.get().customer == customer


def test_recording_service_off_answers_403(client, other_customer, storage):
    key = ApiToken.issue(customer=other_customer, name="PBX")[1]
    response = upload(client, key, make_mp3(1.0))
    assert response.status_code == 403
    assert "wyłączona" in response.json()["detail"]
    assert not Recording.objects.exists()


def test_each_customer_stores_into_its_own_folder(client, customer, other_customer, key, storage):
    from billing.models import Service
    from billing.services import service_activate

    service_activate(
        customer=other_customer,
        service=Service.objects.get(code="recording"),
        now=datetime(2026, 3, 1, tzinfo=UTC) - timedelta(days=1),
    )
    other_key = ApiToken.issue(customer=other_customer, name="PBX")[1]
    mine = upload(client, key, make_mp3(1.0)).json()
    theirs = upload(client, other_key, make_mp3(1.0)).json()
    assert Recording.objects.get(pk=mine["id"]).path.startswith("firmaabcde/")
    assert Recording.objects.get(pk=theirs["id"]).path.startswith("drugafirma/")


@pytest.mark.smoke
def test_the_upload_is_described_in_the_openapi_schema(client, db):
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    operation = json.loads(response.content)["paths"]["/api/v1/recordings/"]["post"]
    assert operation["operationId"] == "recording_create"
    form = operation["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]
    fields = json.loads(response.content)["components"]["schemas"][form]["properties"]
    assert {"call_id", "file", "started_at", "direction", "caller", "callee"} <= set(fields)
    assert fields["file"]["format"] == "binary"
    assert set(operation["responses"]) == {"200", "201", "400", "401", "403", "409"}
