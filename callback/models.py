"""Authorized numbers (who may order a call by SMS or by dialling in) and the orders they placed."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from callback.choices import OrderChannel, OrderReason, OrderStatus
from panel.tenancy import TenantModel

e164_validator = RegexValidator(r"^\+[1-9][0-9]{6,14}\Z", _("Enter the number in E.164 form, e.g. +48601222333."))
pin_validator = RegexValidator(r"^[0-9]{4,10}\Z", _("A PIN has 4 to 10 digits."))


class AuthorizedNumber(TenantModel):
    """A mobile of the customer's employee that may order calls; the service number recognises it by the sender.

    The number is unique across all customers: an SMS from it must identify exactly one customer.
    """

    description = models.CharField(_("number description"), max_length=100)
    number = models.CharField(_("phone number"), max_length=16, unique=True, validators=[e164_validator])
    presentation = models.ForeignKey(
        "pbx.PhoneNumber",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("number presentation"),
    )
    pin = models.CharField(_("PIN code"), max_length=10, blank=True, validators=[pin_validator])
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("authorized number")
        verbose_name_plural = _("authorized numbers")
        ordering = ["description", "number"]

    def __str__(self) -> str:
        return f"{self.description} ({self.number})"


class CallbackOrder(TenantModel):
    """One order from an authorized number (accepted or refused): the history and the rate limit count these."""

    authorized_number = models.ForeignKey(
        AuthorizedNumber, on_delete=models.CASCADE, related_name="orders", verbose_name=_("authorized number")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=OrderChannel.choices, default=OrderChannel.SMS)
    target = models.CharField(_("target number"), max_length=16, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.ORDERED)
    reason = models.CharField(_("reason"), max_length=20, choices=OrderReason.choices, blank=True, default="")
    call_id = models.CharField(_("call id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("ordered at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("ordered call")
        verbose_name_plural = _("ordered calls")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.authorized_number.number} → {self.target or '?'}: {self.status}"
