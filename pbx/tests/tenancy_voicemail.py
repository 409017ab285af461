"""Voicemail URLs for the shared tenancy test: another customer's account, message and audio are 404."""

import io
from datetime import UTC, datetime

from pbx.models import SipAccount
from pbx.tests import factories
from pbx.voicemail import voicemail_ingest
from simulator.audio import tone_mp3


def account_with_voicemail(customer) -> dict:
    """A SIP account of `customer`; returns the URL kwargs of its list of messages."""
    extension = str(70 + SipAccount.objects.for_customer(customer).count())
    account = factories.sip_account(customer, extension=extension, voicemail_enabled=True)
    return {"pk": account.pk}


def message(customer) -> dict:
    """A stored message (with real audio) in a new account of `customer`; returns the URL kwargs."""
    kwargs = account_with_voicemail(customer)
    account = SipAccount.objects.get(pk=kwargs["pk"])
    stored = voicemail_ingest(
        customer=customer,
        extension=account.extension,
        caller="+48600100200",
        received_at=datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
        fileobj=io.BytesIO(tone_mp3(2)),
        message_id=f"tenancy-{account.pk}",
    )
    return {"pk": account.pk, "message_pk": stored.message.pk}


OBJECT_URLS = {
    "pbx:voicemail_messages": account_with_voicemail,
    "pbx:voicemail_message": message,
    "pbx:voicemail_message_audio": message,
    "pbx:voicemail_message_delete": message,
}
