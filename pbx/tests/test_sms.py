"""The SMS gateway interface: every message is recorded in the outbox, the configured gateway carries it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from pbx.models import OutgoingSms
from pbx.models.sms import SMS_MAX_LENGTH, SmsPurpose, SmsStatus
from pbx.sms import OutboxGateway, SmsGatewayError, get_gateway, send_sms

pytestmark = pytest.mark.django_db
SENT = []


class RecordingGateway:
    """A provider stand-in: takes the message and answers with a reference."""

    def send_sms(self, *, customer, sender, to, text):
        SENT.append((customer.prefix, sender, to, text))
        return f"ref-{len(SENT)}"


class BrokenGateway:
    def send_sms(self, *, customer, sender, to, text):
        raise SmsGatewayError("provider says: no credit")


@pytest.fixture(autouse=True)
def clean():
    SENT.clear()


@pytest.mark.smoke
def test_the_default_gateway_keeps_the_message_in_the_outbox(customer, django_capture_on_commit_callbacks):
    assert isinstance(get_gateway(), OutboxGateway)
    with django_capture_on_commit_callbacks(execute=True):
        message = send_sms(customer=customer, sender="+48943401128", to="501 222 333", text="Połączenie od +48 600")
    message.refresh_from_db()
    assert (message.customer, message.to, message.sender) == (customer, "+48501222333", "+48943401128")
    assert message.status == SmsStatus.RECORDED and message.gateway == "pbx.sms.OutboxGateway"
    assert message.sent_at is not None and message.purpose == SmsPurpose.OTHER


def test_a_configured_gateway_sends_and_its_reference_is_kept(customer, settings, django_capture_on_commit_callbacks):
    settings.SMS_GATEWAY = "pbx.tests.test_sms.RecordingGateway"
    with django_capture_on_commit_callbacks(execute=True):
        message = send_sms(customer=customer, sender="Firma", to="+48501222333", text="Test", purpose="callback")
    message.refresh_from_db()
    assert SENT == [("firmaabcde", "Firma", "+48501222333", "Test")]
    assert (message.status, message.gateway_reference, message.purpose) == (SmsStatus.SENT, "ref-1", "callback")


def test_a_failing_gateway_is_recorded_for_operators_not_raised(customer, settings, django_capture_on_commit_callbacks):
    settings.SMS_GATEWAY = "pbx.tests.test_sms.BrokenGateway"
    with django_capture_on_commit_callbacks(execute=True):
        message = send_sms(customer=customer, sender="", to="+48501222333", text="Test")
    message.refresh_from_db()
    assert message.status == SmsStatus.FAILED and message.error == "provider says: no credit"


def test_nothing_is_sent_before_the_transaction_commits(customer, settings, django_capture_on_commit_callbacks):
    settings.SMS_GATEWAY = "pbx.tests.test_sms.RecordingGateway"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = send_sms(customer=customer, sender="", to="+48501222333", text="Test")
        assert SENT == [] and message.status == SmsStatus.QUEUED
    assert len(callbacks) == 1


def test_the_same_key_texts_once(customer, settings, django_capture_on_commit_callbacks):
    settings.SMS_GATEWAY = "pbx.tests.test_sms.RecordingGateway"
    with django_capture_on_commit_callbacks(execute=True):
        first = send_sms(customer=customer, sender="", to="+48501222333", text="A", key="call-1:sms:1")
        again = send_sms(customer=customer, sender="", to="+48501222333", text="A", key="call-1:sms:1")
        send_sms(customer=customer, sender="", to="+48501222333", text="A")
        send_sms(customer=customer, sender="", to="+48501222333", text="A")
    assert first.pk == again.pk
    assert len(SENT) == 3 and OutgoingSms.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_message_is_delivered_at_once(customer):
    message = send_sms(customer=customer, sender="", to="+48501222333", text="Test")
    assert message.status == SmsStatus.RECORDED


def test_keys_are_per_customer(customer, other_customer):
    send_sms(customer=customer, sender="", to="+48501222333", text="A", key="k")
    send_sms(customer=other_customer, sender="", to="+48501222333", text="A", key="k")
    assert (
        OutgoingSms.objects.for_customer(customer).count() == OutgoingSms.objects.for_customer(other_customer).count()
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"to": "12"}, "to"),
        ({"to": ""}, "to"),
        ({"to": "not a number"}, "to"),
        ({"text": "   "}, "text"),
        ({"text": "x" * (SMS_MAX_LENGTH + 1)}, "text"),
        ({"sender": "Firma ABCDE Sp. z o.o."}, "sender"),
        ({"sender": "<b>"}, "sender"),
    ],
)
def test_invalid_messages_are_refused_and_nothing_recorded(customer, fields, field):
    message = {"sender": "Firma", "to": "+48501222333", "text": "Połączenie od 600100200", **fields}
    with pytest.raises(ValidationError) as refused:
        send_sms(customer=customer, **message)
    assert field in refused.value.message_dict
    assert not OutgoingSms.objects.exists()


@pytest.mark.parametrize("sender", ["", "Firma", "FIRMA-ABC", "+48943401128", "943401128"])
def test_valid_senders(customer, sender):
    assert send_sms(customer=customer, sender=sender, to="+48501222333", text="Test").pk


def test_a_long_message_up_to_three_parts_is_accepted(customer):
    assert send_sms(customer=customer, sender="", to="+48501222333", text="x" * SMS_MAX_LENGTH).pk
