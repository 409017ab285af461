"""Voicemail messages (Voice2Mail): what callers left in a SIP account's voicemail box."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from panel.tenancy import TenantManager


def voicemail_upload_to(instance: VoicemailMessage, filename: str) -> str:
    """voicemail/<prefix>/<extension>/YYYY/MM/<random>.mp3: never guessable, never the caller's file name."""
    account = instance.sip_account
    received = timezone.localtime(instance.received_at)
    return f"voicemail/{account.customer.prefix}/{account.extension}/{received:%Y/%m}/{secrets.token_hex(12)}.mp3"


class VoicemailMessage(models.Model):
    """A message a caller left in a voicemail box, with its audio, as the PBX reported it.

    Owned by the customer through its SIP account. Stored once per (account,
    message id): a PBX that sends the same message again gets the stored one.
    """

    sip_account = models.ForeignKey(
        "pbx.SipAccount", on_delete=models.CASCADE, related_name="voicemail_messages", verbose_name=_("SIP account")
    )
    message_id = models.CharField(
        _("message id"), max_length=64, help_text=_("The PBX's id of the message; sending it again stores nothing new.")
    )
    caller = models.CharField(_("caller"), max_length=32, blank=True, help_text=_("Empty: the number was withheld."))
    received_at = models.DateTimeField(_("received"))
    duration_seconds = models.DecimalField(_("length (s)"), max_digits=8, decimal_places=3)
    audio = models.FileField(_("audio file"), upload_to=voicemail_upload_to, max_length=255)
    size_bytes = models.PositiveIntegerField(_("size (bytes)"))
    heard = models.BooleanField(_("heard"), default=False)
    heard_at = models.DateTimeField(_("heard at"), null=True, blank=True)
    emailed_to = models.EmailField(_("e-mailed to"), blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("stored"), auto_now_add=True)

    objects = TenantManager(path="sip_account__customer")

    class Meta:
        verbose_name = _("voicemail message")
        verbose_name_plural = _("voicemail messages")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["sip_account", "message_id"], name="voicemail_message_id_unique")
        ]
        indexes = [models.Index(fields=["sip_account", "-received_at", "-id"], name="voicemail_account_received")]

    def __str__(self) -> str:
        return f"{self.sip_account.extension} {self.caller or '-'} {self.received_at:%Y-%m-%d %H:%M}"
