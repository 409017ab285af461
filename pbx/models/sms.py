"""The SMS outbox: every text message the panel sends on a customer's behalf, whatever gateway carries it."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from panel.tenancy import TenantModel

SMS_MAX_LENGTH = 459  # three concatenated GSM-7 parts of 153 characters


class SmsStatus(models.TextChoices):
    QUEUED = "queued", _("waiting to be sent")
    RECORDED = "recorded", _("kept in the outbox (no SMS gateway configured)")
    SENT = "sent", _("handed over to the SMS gateway")
    FAILED = "failed", _("failed")


class SmsPurpose(models.TextChoices):
    FORWARD = "forward", _("caller's number on a forwarded call")
    CALLBACK = "callback", _("call ordered by SMS")
    OTHER = "other", _("other")


class OutgoingSms(TenantModel):
    """One SMS sent (or to be sent) for a customer: operators see what went out, to whom, and whether it failed.

    Idempotent by `key` when one is given: the same event never texts twice.
    """

    sender = models.CharField(_("sender"), max_length=16, blank=True)
    to = models.CharField(_("recipient"), max_length=16)
    text = models.TextField(_("text"), max_length=SMS_MAX_LENGTH)
    purpose = models.CharField(_("purpose"), max_length=10, choices=SmsPurpose.choices, default=SmsPurpose.OTHER)
    key = models.CharField(_("idempotency key"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=SmsStatus.choices, default=SmsStatus.QUEUED)
    gateway = models.CharField(_("gateway"), max_length=200, blank=True)
    gateway_reference = models.CharField(_("gateway's reference"), max_length=100, blank=True)
    error = models.CharField(_("error"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing SMS")
        verbose_name_plural = _("SMS outbox")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "key"], condition=~Q(key=""), name="outgoing_sms_key_unique")
        ]
        indexes = [models.Index(fields=["customer", "-created_at"], name="outgoing_sms_customer_created")]

    def __str__(self) -> str:
        return f"{self.to}: {self.text[:40]}"
