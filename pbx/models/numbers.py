from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from panel.tenancy import TenantModel
from pbx import choices

e164_validator = RegexValidator(r"^\+[1-9][0-9]{6,14}\Z", _("Enter the number in E.164 form, e.g. +48943401128."))
clip_prefix_validator = RegexValidator(r"^[0-9A-Za-z#*+ -]{0,10}\Z", _("A CLIP prefix is up to 10 letters or digits."))


class PhoneNumber(TenantModel):
    """A public number (DID) that an operator assigned to a customer, and where its calls go."""

    number = models.CharField(_("phone number"), max_length=16, unique=True, validators=[e164_validator])
    area = models.CharField(_("area"), max_length=100, blank=True, help_text=_("e.g. Polska > Koszalin"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    clip_prefix = models.CharField(_("CLIP prefix"), max_length=10, blank=True, validators=[clip_prefix_validator])
    route_kind = models.CharField(
        _("forward to"), max_length=10, choices=choices.RouteKind.choices, default=choices.RouteKind.NONE
    )
    route_sip = models.ForeignKey(
        "pbx.SipAccount", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("extension")
    )
    route_external = models.ForeignKey(
        "pbx.ExternalNumber",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("external number"),
    )
    route_queue = models.ForeignKey(
        "pbx.Queue", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("queue")
    )
    route_scheme = models.ForeignKey(
        "pbx.Scheme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="phone_numbers",
        verbose_name=_("call-flow scheme"),
    )
    route_conference = models.ForeignKey(
        "conferences.ConferenceRoom",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="phone_numbers",
        verbose_name=_("teleconference room"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        ordering = ["number"]

    def __str__(self) -> str:
        return self.number
