from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from panel.tenancy import TenantModel
from pbx import choices

dtmf_validator = RegexValidator(r"^[0-9*#,]*\Z", _("DTMF may contain digits, * and #, and commas for pauses."))
short_code_validator = RegexValidator(r"^\*[0-9]{1,6}#\Z", _("A short code looks like *022#: a star, digits, a hash."))


class ExternalNumber(TenantModel):
    """A phone number outside the PBX (a mobile, another office) that calls can be forwarded to."""

    number = models.CharField(_("phone number"), max_length=16, help_text=_("Stored in E.164 form, e.g. +48111222333."))
    description = models.CharField(_("description"), max_length=200, blank=True)
    dtmf = models.CharField(_("DTMF sequence"), max_length=40, blank=True, validators=[dtmf_validator])
    short_code = models.CharField(_("short code"), max_length=8, blank=True, validators=[short_code_validator])
    presentation = models.CharField(
        _("presentation"),
        max_length=10,
        choices=choices.ExternalPresentation.choices,
        default=choices.ExternalPresentation.PASSIVE,
    )
    may_transfer = models.BooleanField(_("may transfer calls"), default=False)
    sms_on_forward = models.BooleanField(_("send an SMS with the caller's number when forwarded"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("external number")
        verbose_name_plural = _("external numbers")
        ordering = ["customer", "number"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "number"], name="external_number_unique"),
            models.UniqueConstraint(
                fields=["customer", "short_code"], condition=~Q(short_code=""), name="external_short_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.description}".strip()
