from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from panel.tenancy import TenantModel

extension_validator = RegexValidator(r"^[0-9]{2,6}\Z", _("An extension number is 2 to 6 digits."))


class SipAccount(TenantModel):
    """An internal extension of a customer's PBX that a phone registers as `<prefix>_<extension>`."""

    extension = models.CharField(_("extension number"), max_length=6, validators=[extension_validator])
    name = models.CharField(_("SIP account name"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("SIP account")
        verbose_name_plural = _("SIP accounts")
        ordering = ["customer", "extension"]
        constraints = [models.UniqueConstraint(fields=["customer", "extension"], name="sip_extension_unique")]

    def __str__(self) -> str:
        return f"{self.extension} {self.name}".strip()

    @property
    def sip_username(self) -> str:
        return f"{self.customer.prefix}_{self.extension}"
