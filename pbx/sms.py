"""Sending SMS: one entry point for every feature that texts someone, and the gateway that carries the message.

    from pbx.sms import send_sms
    send_sms(customer=customer, sender="+48943401128", to="+48501222333", text="Połączenie od +48 600 100 200")

`send_sms` checks the message, records it in the outbox (`OutgoingSms`, which
operators see in the admin) and, once the caller's transaction commits, hands
it to the gateway named by the `SMS_GATEWAY` setting (a dotted path to a class
implementing `SmsGateway`). The default gateway, `OutboxGateway`, sends
nothing: the message stays in the outbox marked "recorded". A real provider's
gateway implements the same one method. With a `key`, the same event never
texts twice (forward notices use the call id, the callback feature its
request id).
"""

from __future__ import annotations

import logging
import re
from functools import partial
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from panel.models import Customer
from pbx.models import OutgoingSms
from pbx.models.sms import SMS_MAX_LENGTH, SmsPurpose, SmsStatus
from pbx.numbering import InvalidNumber, normalise_external_number

logger = logging.getLogger(__name__)

DEFAULT_GATEWAY = "pbx.sms.OutboxGateway"
# An alphanumeric sender is at most 11 letters or digits; a numeric one a phone number.
_SENDER = re.compile(r"^(?:[A-Za-z0-9 .\-]{1,11}|\+?[0-9]{3,15})\Z")


class SmsGatewayError(Exception):
    """The gateway could not take the message; the text is shown to operators in the outbox."""


class SmsGateway(Protocol):
    """What a gateway implements: take one message for the network, return the provider's reference (or "")."""

    def send_sms(self, *, customer: Customer, sender: str, to: str, text: str) -> str: ...


class OutboxGateway:
    """The default gateway: no provider behind it; messages stay in the outbox, marked "recorded"."""

    delivers = False

    def send_sms(self, *, customer: Customer, sender: str, to: str, text: str) -> str:
        logger.info("SMS kept in the outbox (no SMS gateway configured) customer=%s to=%s", customer.prefix, to)
        return ""


def gateway_path() -> str:
    return getattr(settings, "SMS_GATEWAY", "") or DEFAULT_GATEWAY


def get_gateway() -> SmsGateway:
    """An instance of the configured gateway class (`SMS_GATEWAY`, default `pbx.sms.OutboxGateway`)."""
    return import_string(gateway_path())()


def _checked(*, sender: str, to: str, text: str) -> tuple[str, str, str]:
    errors: dict[str, list[str]] = {}
    try:
        to = normalise_external_number(to)
    except InvalidNumber:
        errors["to"] = [_("The recipient must be a phone number, e.g. +48501222333.")]
    sender = (sender or "").strip()
    if sender and not _SENDER.match(sender):
        errors["sender"] = [_("The sender is a phone number or at most 11 letters and digits.")]
    text = (text or "").strip()
    if not text:
        errors["text"] = [_("The message is empty.")]
    elif len(text) > SMS_MAX_LENGTH:
        errors["text"] = [_("A message is at most %(limit)s characters long.") % {"limit": SMS_MAX_LENGTH}]
    if errors:
        raise ValidationError(errors)
    return sender, to, text


def send_sms(
    *,
    customer: Customer,
    sender: str,
    to: str,
    text: str,
    purpose: str = SmsPurpose.OTHER,
    key: str = "",
) -> OutgoingSms:
    """Queue one SMS of `customer` in the outbox and have the gateway send it when the transaction commits.

    Raises `ValidationError` (per field) for a recipient that is not a phone
    number, a bad sender or an empty or too long text; nothing is recorded
    then. With `key`, a message already recorded under it is returned as it is.
    """
    sender, to, text = _checked(sender=sender, to=to, text=text)
    if key:
        existing = OutgoingSms.objects.for_customer(customer).filter(key=key).first()
        if existing is not None:
            return existing
    message = OutgoingSms(
        customer=customer, sender=sender, to=to, text=text, purpose=purpose, key=key, gateway=gateway_path()
    )
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        existing = OutgoingSms.objects.for_customer(customer).filter(key=key).first() if key else None
        if existing is None:
            raise
        return existing
    transaction.on_commit(partial(sms_deliver, message_id=message.pk), robust=True)
    if not transaction.get_connection().in_atomic_block:
        message.refresh_from_db()  # delivered already: outside a transaction on_commit runs at once
    return message


def sms_deliver(*, message_id: int) -> OutgoingSms | None:
    """Hand a queued message to the gateway and record what happened; a message no longer queued is left alone."""
    message = OutgoingSms.objects.select_related("customer").filter(pk=message_id).first()
    if message is None or message.status != SmsStatus.QUEUED:
        return message
    try:
        gateway = get_gateway()
        reference = gateway.send_sms(customer=message.customer, sender=message.sender, to=message.to, text=message.text)
    except Exception as error:  # a provider's failure of any kind is recorded for operators, never raised
        logger.warning("SMS %s could not be sent: %s", message.pk, error)
        message.status = SmsStatus.FAILED
        message.error = str(error)[:255] or type(error).__name__
    else:
        message.status = SmsStatus.SENT if getattr(gateway, "delivers", True) else SmsStatus.RECORDED
        message.gateway_reference = (reference or "")[:100]
        message.sent_at = timezone.now()
    message.save(update_fields=["status", "error", "gateway_reference", "sent_at"])
    return message
