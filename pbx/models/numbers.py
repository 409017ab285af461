from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from panel.tenancy import TenantModel

e164_validator = RegexValidator(r"^\+[1-9][0-9]{6,14}\Z", _("Enter the number in E.164 form, e.g. +48943401128."))


class PhoneNumber(TenantModel):
    """A public number (DID) that an operator assigned to a customer."""

    number = models.CharField(_("phone number"), max_length=16, unique=True, validators=[e164_validator])
    area = models.CharField(_("area"), max_length=100, blank=True, help_text=_("e.g. Polska > Koszalin"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        ordering = ["number"]

    def __str__(self) -> str:
        return self.number
