"""The voicemail ingestion API as a PBX integrator meets it: token, multipart, errors, tenancy, idempotency, schema."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from panel.models import ApiToken
from pbx.models import VoicemailMessage
from pbx.tests import factories
from simulator.audio import tone_mp3

pytestmark = pytest.mark.django_db
URL = "/api/v1/voicemail/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def account(customer):
    return factories.sip_account(customer, extension="11", voicemail_enabled=True)


@pytest.fixture
def api(customer) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.issue(customer=customer, name='Centrala')[1]}")
    return client


def upload(**changes):
    data = {
        "message_id": "pbx1-20260310-0001",
        "extension": "11",
        "caller": "+48600100200",
        "received_at": "2026-03-10T10:15:30+01:00",
        "file": SimpleUploadedFile("wiadomosc.mp3", tone_mp3(8), content_type="audio/mpeg"),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.smoke
def test_a_message_is_stored_and_the_same_message_again_answers_200_and_stores_nothing(api, account):
    first = api.post(URL, upload(), format="multipart")
    assert first.status_code == 201, first.content
    body = first.json()
    message = VoicemailMessage.objects.get()
    assert body["id"] == message.pk and body["created"] is True
    assert (body["message_id"], body["extension"], body["caller"]) == ("pbx1-20260310-0001", "11", "+48600100200")
    assert abs(float(body["duration_seconds"]) - 8) <= 0.5
    assert message.sip_account == account

    again = api.post(URL, upload(), format="multipart")
    assert again.status_code == 200
    assert again.json()["id"] == message.pk and again.json()["created"] is False
    assert VoicemailMessage.objects.count() == 1


@pytest.mark.parametrize(("notify", "emailed"), [(None, True), ("true", True), ("false", False)])
def test_a_message_is_e_mailed_unless_the_pbx_says_notify_false(
    api, account, notify, emailed, mailoutbox, django_capture_on_commit_callbacks
):
    account.voicemail_email = "sekretariat@firma.example"
    account.save()
    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post(URL, upload(notify=notify), format="multipart")
    assert answer.status_code == 201, answer.content
    assert len(mailoutbox) == (1 if emailed else 0)


@pytest.mark.parametrize("header", [None, "Token wrong-key", "Bearer something", "Token"])
def test_no_key_or_a_bad_key_is_401(account, header):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.post(URL, upload(), format="multipart")
    assert response.status_code == 401
    assert "detail" in response.json()
    assert not VoicemailMessage.objects.exists()


def test_a_revoked_key_is_401(customer, account):
    token, key = ApiToken.issue(customer=customer, name="Stara")
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.post(URL, upload(), format="multipart").status_code == 401


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"file": None}, "file"),
        ({"message_id": None}, "message_id"),
        ({"message_id": "zły identyfikator"}, "message_id"),
        ({"extension": "1"}, "extension"),
        ({"extension": None}, "extension"),
        ({"received_at": "2026-03-10T10:15:30"}, "received_at"),
        ({"received_at": "wczoraj"}, "received_at"),
        ({"caller": "x" * 40}, "caller"),
        ({"file": SimpleUploadedFile("a.mp3", b"not audio at all" * 50)}, "file"),
        ({"file": SimpleUploadedFile("a.mp3", b"")}, "file"),
    ],
)
def test_malformed_uploads_are_400_with_the_field_named(api, account, changes, field):
    response = api.post(URL, upload(**changes), format="multipart")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["detail"] and field in body["errors"]
    assert not VoicemailMessage.objects.exists()


def test_a_json_body_is_refused_with_a_clear_message(api, account):
    response = api.post(URL, {"message_id": "x"}, format="json")
    assert response.status_code == 415
    assert "detail" in response.json()


def test_another_customers_extension_is_404_like_a_missing_one(api, account, other_customer):
    factories.sip_account(other_customer, extension="12")
    theirs = api.post(URL, upload(extension="12"), format="multipart")
    missing = api.post(URL, upload(extension="99"), format="multipart")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["errors"] == {"extension": ["Nie ma konta SIP z numerem wewnętrznym 12."]}
    assert not VoicemailMessage.objects.exists()


def test_the_other_customers_key_stores_in_its_own_account_only(account, other_customer):
    theirs = factories.sip_account(other_customer, extension="11")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.issue(customer=other_customer, name='B')[1]}")
    assert client.post(URL, upload(), format="multipart").status_code == 201
    assert VoicemailMessage.objects.get().sip_account == theirs


def test_the_openapi_schema_describes_the_endpoint(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/voicemail/" in text and "voicemail_create" in text
