"""Writes of voicemail greetings: the only code that stores or removes a SIP account's own greeting file."""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.db import transaction

from panel.models import Customer
from pbx.audio import NormalisedAudio, normalise_greeting
from pbx.choices import GreetingKind
from pbx.models import SipAccount
from pbx.models.sip import greeting_upload_to

logger = logging.getLogger(__name__)

UPDATED_FIELDS = ["greeting_kind", "greeting_file", "updated_at"]


def _locked_account(*, customer: Customer, account: SipAccount) -> SipAccount:
    """The account reloaded through its customer and locked, so two uploads cannot interleave."""
    return SipAccount.objects.for_customer(customer).select_for_update().select_related("customer").get(pk=account.pk)


def _delete_file(storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        logger.warning("could not delete the greeting file %s", name, exc_info=True)


def greeting_upload(*, customer: Customer, account: SipAccount, upload) -> SipAccount:
    """Make an uploaded recording the account's voicemail greeting ("own" instead of the system one).

    The file is checked and re-encoded first (`pbx.audio.normalise_greeting`
    raises `ValidationError` for a refused file, and then nothing is stored).
    The normalised MP3 replaces any earlier greeting file of the account.
    """
    audio = normalise_greeting(upload)
    return _store_greeting(customer=customer, account=account, audio=audio)


@transaction.atomic
def _store_greeting(*, customer: Customer, account: SipAccount, audio: NormalisedAudio) -> SipAccount:
    locked = _locked_account(customer=customer, account=account)
    storage = locked.greeting_file.storage
    old_name = locked.greeting_file.name
    new_name = greeting_upload_to(locked, "greeting.mp3")
    # The file name is fixed per extension, so the previous file at that name is replaced, not kept beside it.
    if storage.exists(new_name):
        storage.delete(new_name)
    saved_name = storage.save(new_name, ContentFile(audio.content))
    try:
        locked.greeting_file.name = saved_name
        locked.greeting_kind = GreetingKind.OWN
        locked.save(update_fields=UPDATED_FIELDS)
    except Exception:
        _delete_file(storage, saved_name)
        raise
    if old_name and old_name != saved_name:
        transaction.on_commit(lambda: _delete_file(storage, old_name))
    account.greeting_file.name = locked.greeting_file.name
    account.greeting_kind = locked.greeting_kind
    return locked


@transaction.atomic
def greeting_delete(*, customer: Customer, account: SipAccount) -> SipAccount:
    """Remove the account's own greeting file; voicemail goes back to the system greeting."""
    locked = _locked_account(customer=customer, account=account)
    storage = locked.greeting_file.storage
    old_name = locked.greeting_file.name
    locked.greeting_file.name = ""
    locked.greeting_kind = GreetingKind.SYSTEM
    locked.save(update_fields=UPDATED_FIELDS)
    if old_name:
        transaction.on_commit(lambda: _delete_file(storage, old_name))
    account.greeting_file.name = locked.greeting_file.name
    account.greeting_kind = locked.greeting_kind
    return locked
