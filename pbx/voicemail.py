"""Voicemail messages (Voice2Mail): store what a caller left, e-mail it to the account's address, listen, delete.

`voicemail_ingest` is the entry point a PBX uses (through the HTTP API in
pbx/api_voicemail.py, or directly, as the traffic simulator does):

- the message goes to the customer's SIP account with the given extension
  (another customer's extension is simply not found);
- the audio is recognised by its content (MP3 or WAV, never by its name) and
  decoded for real with pydub, so a renamed text file or a cut-off file is
  refused; an MP3 is stored as it is, a WAV converted to MP3 (pbx.audio);
- one message per (account, message id): the same message again returns the
  stored one and stores nothing;
- once stored, the message is e-mailed with its MP3 attached to the account's
  "e-mail address for messages" when one is set (Django's e-mail backend:
  console or file in development, SMTP by environment), unless the sender
  says not to (`notify=False`: a message sent long after it was left, such as
  the simulator's demo history).

Reads for the panel are at the end of the module (`voicemail_list`, ...).
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from panel.models import Customer
from panel.refusal import Refused
from pbx import audio
from pbx.models import SipAccount, VoicemailMessage
from pbx.numbering import format_number

logger = logging.getLogger(__name__)

VOICEMAIL_MAX_BYTES = 20 * 1024 * 1024
VOICEMAIL_MAX_SECONDS = 15 * 60
MESSAGE_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:@-]{1,64}\Z")
CALLER_PATTERN = re.compile(r"^[A-Za-z0-9+*#_.@ -]{0,32}\Z")
WITHHELD_CALLERS = frozenset({"", "anonymous", "unknown", "private", "restricted"})
COPY_CHUNK = 64 * 1024
EXTENSION_MAX_DIGITS = 6


@dataclass(frozen=True)
class IngestedVoicemail:
    """The stored message, and whether this call stored it (False: the same message id was stored before)."""

    message: VoicemailMessage
    created: bool


@dataclass(frozen=True)
class _Audio:
    content: bytes
    duration_seconds: Decimal


def _normalised_caller(caller: str | None) -> str:
    caller = (caller or "").strip()
    if caller.lower() in WITHHELD_CALLERS:
        return ""
    if not CALLER_PATTERN.match(caller):
        raise Refused(Refused.INVALID, _("A number is up to 32 digits, letters or + * # _ . @ -"), field="caller")
    return caller


def voicemail_ingest(
    *,
    customer: Customer,
    extension: str,
    caller: str | None,
    received_at: datetime,
    fileobj: BinaryIO,
    message_id: str,
    notify: bool = True,
) -> IngestedVoicemail:
    """Store a message left in the voicemail box of `customer`'s extension; raises `Refused`.

    Safe to repeat: a message id already stored for the account returns the
    stored message (created False) without reading the audio again. With
    `notify` False the message is stored but not e-mailed.
    """
    message_id = (message_id or "").strip()
    if not MESSAGE_ID_PATTERN.match(message_id):
        raise Refused(Refused.INVALID, _("A message id is 1 to 64 letters, digits or . _ : @ -"), field="message_id")
    if not isinstance(received_at, datetime) or received_at.tzinfo is None or received_at.utcoffset() is None:
        raise Refused(
            Refused.INVALID,
            _("Give the time with its time zone, e.g. 2025-01-31T10:15:00+01:00."),
            field="received_at",
        )
    caller = _normalised_caller(caller)
    account = SipAccount.objects.for_customer(customer).filter(extension=(extension or "").strip()).first()
    if account is None:
        raise Refused(
            Refused.NOT_FOUND,
            _("There is no SIP account with extension %(extension)s.") % {"extension": extension},
            field="extension",
        )
    existing = VoicemailMessage.objects.filter(sip_account=account, message_id=message_id).first()
    if existing is not None:
        return IngestedVoicemail(existing, created=False)
    prepared = _prepare_audio(fileobj)
    return _store(
        account=account,
        message_id=message_id,
        caller=caller,
        received_at=received_at,
        prepared=prepared,
        notify=notify,
    )


def _refused_audio(rejected: audio.AudioRejected) -> Refused:
    return Refused(Refused.AUDIO, str(audio.MESSAGES[rejected.code]) % dict(rejected.params), field="file")


def _prepare_audio(fileobj: BinaryIO) -> _Audio:
    """The message's audio as MP3: an MP3 that decodes in full is kept as it is, a WAV is converted."""
    work_dir = Path(tempfile.mkdtemp(prefix="centrala-voicemail-"))
    try:
        path = _spool(fileobj, work_dir)
        found = audio.probe(path)
        if found.duration_seconds > VOICEMAIL_MAX_SECONDS + audio.LENGTH_TOLERANCE_SECONDS:
            raise _too_long(found.duration_seconds)
        if found.format == "wav":
            normalised = audio.normalise_file(path, max_seconds=VOICEMAIL_MAX_SECONDS, work_dir=work_dir)
            content, seconds = normalised.content, normalised.duration_seconds
        else:
            segment = audio.decode(path, "mp3", max_seconds=VOICEMAIL_MAX_SECONDS + 2 * audio.LENGTH_TOLERANCE_SECONDS)
            decoded = len(segment) / 1000
            if decoded > VOICEMAIL_MAX_SECONDS + audio.ALLOWED_OVERRUN_SECONDS:
                raise _too_long(decoded)
            if audio.is_truncated(announced_seconds=found.duration_seconds, decoded_seconds=decoded):
                raise audio.AudioRejected(audio.AudioRejected.DAMAGED)
            content, seconds = path.read_bytes(), audio.mp3_duration(path)
    except audio.AudioRejected as rejected:
        raise _refused_audio(rejected) from rejected
    except Refused:
        raise
    except Exception as error:  # mutagen on a hostile file after decoding passed: still refused, never a 500
        logger.info("voicemail audio refused: %s", error)
        raise _refused_audio(audio.AudioRejected(audio.AudioRejected.DAMAGED)) from error
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    return _Audio(content, Decimal(str(seconds)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))


def _too_long(seconds: float) -> audio.AudioRejected:
    return audio.AudioRejected(
        audio.AudioRejected.TOO_LONG,
        duration=audio.format_duration(seconds, rounding=round),
        limit=audio.format_duration(VOICEMAIL_MAX_SECONDS),
    )


def _spool(fileobj: BinaryIO, work_dir: Path) -> Path:
    """Copy the upload to a neutral name (the format is told by content only), with the size limit as it goes."""
    target = work_dir / "upload"
    written = 0
    if hasattr(fileobj, "seek"):
        fileobj.seek(0)
    chunks = fileobj.chunks(COPY_CHUNK) if hasattr(fileobj, "chunks") else iter(lambda: fileobj.read(COPY_CHUNK), b"")
    with target.open("wb") as handle:
        for chunk in chunks:
            written += len(chunk)
            if written > VOICEMAIL_MAX_BYTES:
                raise audio.AudioRejected(audio.AudioRejected.TOO_LARGE, limit=VOICEMAIL_MAX_BYTES // (1024 * 1024))
            handle.write(chunk)
    if written == 0:
        raise audio.AudioRejected(audio.AudioRejected.EMPTY)
    return target


def _delete_file(storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        logger.warning("could not delete the voicemail file %s", name, exc_info=True)


def _store(
    *, account: SipAccount, message_id: str, caller: str, received_at: datetime, prepared: _Audio, notify: bool
) -> IngestedVoicemail:
    """Write the file, then the row; a duplicate that lost a race gets the winner's message and its file is removed."""
    message = VoicemailMessage(
        sip_account=account,
        message_id=message_id,
        caller=caller,
        received_at=received_at,
        duration_seconds=prepared.duration_seconds,
        size_bytes=len(prepared.content),
    )
    message.audio.save("message.mp3", ContentFile(prepared.content), save=False)
    storage, name = message.audio.storage, message.audio.name
    try:
        with transaction.atomic():
            message.save(force_insert=True)
            if notify:
                transaction.on_commit(partial(voicemail_email_send, message_pk=message.pk), robust=True)
    except IntegrityError:
        _delete_file(storage, name)
        existing = VoicemailMessage.objects.filter(sip_account=account, message_id=message_id).first()
        if existing is None:
            raise
        return IngestedVoicemail(existing, created=False)
    except BaseException:
        _delete_file(storage, name)
        raise
    logger.info(
        "voicemail stored customer=%s extension=%s message_id=%s path=%s",
        account.customer.prefix,
        account.extension,
        message_id,
        name,
    )
    return IngestedVoicemail(message, created=True)


def caller_label(caller: str) -> str:
    """The caller for people: a formatted number, an extension ("wewn. 10"), or "withheld number"."""
    if not caller:
        return _("Withheld number")
    if caller.isdigit() and len(caller) <= EXTENSION_MAX_DIGITS:
        return _("ext. %(number)s") % {"number": caller}
    return format_number(caller)


def voicemail_email_send(*, message_pk: int) -> bool:
    """E-mail a stored message with its MP3 attached to the account's voicemail address; True when sent.

    Nothing is sent when the account has no address or the message went out
    before. A failing mail server is logged and leaves `emailed_at` empty; the
    message itself stays stored and listed in the panel.
    """
    message = (
        VoicemailMessage.objects.select_related("sip_account__customer")
        .filter(pk=message_pk, emailed_at__isnull=True)
        .first()
    )
    if message is None or not message.sip_account.voicemail_email:
        return False
    account = message.sip_account
    with translation.override(settings.LANGUAGE_CODE):
        received = date_format(timezone.localtime(message.received_at), "DATETIME_FORMAT")
        caller = caller_label(message.caller)
        subject = _("New voicemail message from %(caller)s (extension %(extension)s)") % {
            "caller": caller,
            "extension": account.extension,
        }
        body = "\n".join(
            [
                _("A caller left a message in the voicemail box of extension %(extension)s.")
                % {"extension": f"{account.extension} {account.name}".strip()},
                "",
                _("Caller: %(caller)s") % {"caller": caller},
                _("Received: %(received)s") % {"received": received},
                _("Length: %(length)s min") % {"length": audio.format_duration(float(message.duration_seconds))},
                "",
                _(
                    "The recording is attached (MP3). You can also listen to it in the panel: "
                    "SIP accounts › %(username)s › Voicemail messages."
                )
                % {"username": account.sip_username},
            ]
        )
    local = timezone.localtime(message.received_at)
    filename = f"voicemail-{account.extension}-{local:%Y%m%d-%H%M%S}-{message.caller or 'anonymous'}.mp3"
    try:
        with message.audio.open("rb") as stored:
            content = stored.read()
        email = EmailMessage(subject=subject, body=body, to=[account.voicemail_email])
        email.attach(re.sub(r"[^A-Za-z0-9._+-]", "_", filename), content, "audio/mpeg")
        email.send()
    except Exception:  # the mail server or the file store failing must not lose the stored message
        logger.warning("could not e-mail voicemail message %s", message.pk, exc_info=True)
        return False
    VoicemailMessage.objects.filter(pk=message.pk).update(emailed_at=timezone.now(), emailed_to=account.voicemail_email)
    return True


@transaction.atomic
def voicemail_mark(*, customer: Customer, message: VoicemailMessage, heard: bool) -> VoicemailMessage:
    """Mark a message heard (or new again), as the customer sees it in the list."""
    locked = VoicemailMessage.objects.for_customer(customer).select_for_update().get(pk=message.pk)
    if locked.heard != heard:
        locked.heard = heard
        locked.heard_at = timezone.now() if heard else None
        locked.save(update_fields=["heard", "heard_at"])
    message.heard, message.heard_at = locked.heard, locked.heard_at
    return locked


@transaction.atomic
def voicemail_delete(*, customer: Customer, message: VoicemailMessage) -> None:
    """Delete a message for good: the row now, its audio file once the deletion is committed."""
    locked = VoicemailMessage.objects.for_customer(customer).select_for_update().get(pk=message.pk)
    storage, name = locked.audio.storage, locked.audio.name
    locked.delete()
    if name:
        transaction.on_commit(partial(_delete_file, storage, name))


def voicemail_delete_account_files(*, customer: Customer, account: SipAccount) -> None:
    """Remove the audio files of an account's messages once its deletion commits (the rows cascade with it).

    For the SIP account deletion service to call before it deletes the account.
    """
    messages = VoicemailMessage.objects.for_customer(customer).filter(sip_account=account)
    for message in messages.only("audio"):
        if message.audio.name:
            transaction.on_commit(partial(_delete_file, message.audio.storage, message.audio.name))


# --- Reads -----------------------------------------------------------------------------------------------------------


def voicemail_list(
    *, customer: Customer, account: SipAccount, query: str = "", status: str = ""
) -> QuerySet[VoicemailMessage]:
    """The account's messages, newest first; `query` matches the caller's number, `status` is "new" or "heard"."""
    messages = VoicemailMessage.objects.for_customer(customer).filter(sip_account=account)
    digits = re.sub(r"[^0-9]", "", query or "")
    if digits:
        # "600 100 200", "+48 600 100 200" and "0048600100200" all find +48600100200.
        messages = messages.filter(caller__contains=digits[-9:])
    if status == "new":
        messages = messages.filter(heard=False)
    elif status == "heard":
        messages = messages.filter(heard=True)
    return messages.order_by("-received_at", "-id")


def voicemail_get(*, customer: Customer, account: SipAccount, pk: int) -> VoicemailMessage:
    """One message of the account; raises `VoicemailMessage.DoesNotExist` also for another customer's message."""
    return VoicemailMessage.objects.for_customer(customer).select_related("sip_account").get(sip_account=account, pk=pk)


def voicemail_unheard_count(*, customer: Customer, account: SipAccount) -> int:
    return VoicemailMessage.objects.for_customer(customer).filter(sip_account=account, heard=False).count()
