import pytest

from callback.models import CallbackOrder
from pbx.models import OutgoingSms

pytestmark = pytest.mark.django_db
URL = "/api/v1/callback/sms/"


@pytest.fixture
def token(settings):
    settings.SMS_WEBHOOK_TOKEN = "gateway-secret"
    return "gateway-secret"


def post(client, token, **data):
    return client.post(URL, data, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}")


def test_the_gateway_orders_a_call(client, token, authorized, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = post(client, token, sender="+48888777666", text="1234 111222333")
    assert response.status_code == 202
    assert CallbackOrder.objects.get().target == "+48111222333"


def test_unknown_sender_gets_the_same_answer_and_nothing_happens(client, token, authorized):
    response = post(client, token, sender="+48500100200", text="1234 111222333")
    assert response.status_code == 202
    assert not CallbackOrder.objects.exists() and not OutgoingSms.objects.exists()


def test_a_wrong_token_is_refused(client, token, authorized):
    assert post(client, "wrong", sender="+48888777666", text="1234 111222333").status_code == 401
    assert client.post(URL, {}, content_type="application/json").status_code in (401, 403)
    assert not CallbackOrder.objects.exists()


def test_no_token_configured_refuses_everything(client, settings, authorized):
    settings.SMS_WEBHOOK_TOKEN = ""
    assert post(client, "", sender="+48888777666", text="1234 111222333").status_code in (401, 403)
    assert not CallbackOrder.objects.exists()


def test_a_customer_api_token_does_not_open_the_webhook(client, token, authorized, customer):
    from panel.models import ApiToken

    _, key = ApiToken.issue(customer=customer, name="x")
    assert post(client, key, sender="+48888777666", text="1234 111222333").status_code == 401


def test_missing_fields_are_explained(client, token):
    response = post(client, token, text="1234")
    assert response.status_code == 400
    assert "sender" in response.json()["errors"]
