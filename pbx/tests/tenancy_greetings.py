"""Greeting URLs for the shared tenancy test: another customer's account, its greeting and its audio are 404."""

from django.core.files.uploadedfile import SimpleUploadedFile

from pbx.models import SipAccount
from pbx.services.greetings import greeting_upload
from pbx.tests import factories
from pbx.tests.audio_factory import make_wav


def account_with_greeting(customer) -> dict:
    """A SIP account of `customer` with an own greeting stored; returns the URL kwargs."""
    extension = str(90 + SipAccount.objects.for_customer(customer).count())
    account = factories.sip_account(customer, extension=extension, name="Recepcja")
    greeting_upload(customer=customer, account=account, upload=SimpleUploadedFile("powitanie.wav", make_wav(1.0)))
    return {"pk": account.pk}


OBJECT_URLS = {
    "pbx:sip_account_greeting": account_with_greeting,
    "pbx:sip_account_greeting_audio": account_with_greeting,
    "pbx:sip_account_greeting_delete": account_with_greeting,
}
