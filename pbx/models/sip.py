from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from panel.tenancy import TenantModel
from pbx import choices, constants

extension_validator = RegexValidator(r"^[0-9]{2,6}\Z", _("An extension number is 2 to 6 digits."))
pin_validator = RegexValidator(r"^[0-9]{4,8}\Z", _("A PIN is 4 to 8 digits."))
seconds_validators = [MinValueValidator(constants.MIN_SECONDS), MaxValueValidator(constants.MAX_SECONDS)]


def greeting_upload_to(instance, filename: str) -> str:
    return f"greetings/{instance.customer.prefix}/{instance.extension}.mp3"


def _forward_fields(label):
    """The three fields of one forwarding condition: what kind of target, and which one."""
    return (
        models.CharField(label, max_length=10, choices=choices.ForwardKind.choices, default=choices.ForwardKind.NONE),
        models.ForeignKey(
            "pbx.SipAccount",
            on_delete=models.PROTECT,
            null=True,
            blank=True,
            related_name="+",
            verbose_name=_("target extension"),
        ),
        models.ForeignKey(
            "pbx.ExternalNumber",
            on_delete=models.PROTECT,
            null=True,
            blank=True,
            related_name="+",
            verbose_name=_("target external number"),
        ),
    )


class SipAccount(TenantModel):
    """An internal extension of a customer's PBX that a phone registers as `<prefix>_<extension>`.

    The SIP password is never stored: only the digest hashes (HA1, MD5 and
    SHA-256 per RFC 8760) that a registrar needs to authenticate the phone.
    """

    # General
    extension = models.CharField(_("extension number"), max_length=6, validators=[extension_validator])
    name = models.CharField(_("SIP account name"), max_length=100, blank=True)
    account_type = models.CharField(
        _("account type"), max_length=10, choices=choices.AccountType.choices, default=choices.AccountType.VOICE
    )
    ha1_md5 = models.CharField(max_length=32, editable=False, default="")
    ha1_sha256 = models.CharField(max_length=64, editable=False, default="")
    is_active = models.BooleanField(_("active"), default=True)

    # Presentation and calls
    caller_id = models.ForeignKey(
        "pbx.PhoneNumber",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("number presentation"),
        help_text=_("Empty: the number is withheld (Numer zastrzeżony)."),
    )
    internal_presentation = models.CharField(
        _("internal number presentation"),
        max_length=10,
        choices=choices.InternalPresentation.choices,
        default=choices.InternalPresentation.REAL,
    )
    internal_substitute = models.CharField(_("substitute number"), max_length=20, blank=True)
    sms_sender = models.CharField(_("SMS sender field"), max_length=11, blank=True)
    ring_time = models.PositiveSmallIntegerField(
        _("ring time (s)"), default=constants.DEFAULT_RING_TIME, validators=seconds_validators
    )
    call_waiting = models.BooleanField(_("call waiting"), default=True)

    # Voicemail (Voice2Mail)
    voicemail_enabled = models.BooleanField(_("voicemail"), default=False)
    voicemail_pin = models.CharField(_("voicemail PIN"), max_length=8, blank=True, validators=[pin_validator])
    voicemail_email = models.EmailField(_("e-mail address for messages"), blank=True)
    greeting_kind = models.CharField(
        _("greeting"), max_length=10, choices=choices.GreetingKind.choices, default=choices.GreetingKind.SYSTEM
    )
    greeting_file = models.FileField(_("greeting file"), upload_to=greeting_upload_to, blank=True)
    voicemail_on_no_answer = models.BooleanField(_("when not answered or unreachable"), default=True)
    voicemail_on_busy = models.BooleanField(_("when busy"), default=False)

    # Forwarding conditions
    fwd_no_answer_kind, fwd_no_answer_sip, fwd_no_answer_external = _forward_fields(_("no answer"))
    fwd_busy_kind, fwd_busy_sip, fwd_busy_external = _forward_fields(_("busy"))
    fwd_unavailable_kind, fwd_unavailable_sip, fwd_unavailable_external = _forward_fields(_("unavailable"))
    return_after = models.PositiveSmallIntegerField(
        _("return after (s)"), default=constants.DEFAULT_RETURN_AFTER, validators=seconds_validators
    )
    return_action = models.CharField(
        _("then"), max_length=10, choices=choices.ReturnAction.choices, default=choices.ReturnAction.VOICEMAIL
    )

    # Advanced
    encryption = models.BooleanField(_("call encryption (DTLS-SRTP)"), default=False)
    international = models.CharField(
        _("international calls"),
        max_length=10,
        choices=choices.InternationalPermission.choices,
        default=choices.InternationalPermission.GLOBAL,
    )
    max_rate_mode = models.CharField(
        _("max. per-minute rate"),
        max_length=10,
        choices=choices.MaxRateMode.choices,
        default=choices.MaxRateMode.GLOBAL,
    )
    max_rate = models.DecimalField(
        _("own max. rate (PLN net/min)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    outgoing_pin = models.CharField(
        _("PIN before outgoing calls"), max_length=8, blank=True, validators=[pin_validator]
    )
    monitor_health = models.BooleanField(_("monitor that this extension works"), default=False)
    t38_fax = models.BooleanField(_("T.38 fax sending"), default=False)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

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

    def forward_target(self, condition: str):
        """(kind, target object or None) of one forwarding condition."""
        kind = getattr(self, f"fwd_{condition}_kind")
        if kind == choices.ForwardKind.EXTENSION:
            return kind, getattr(self, f"fwd_{condition}_sip")
        if kind == choices.ForwardKind.EXTERNAL:
            return kind, getattr(self, f"fwd_{condition}_external")
        return kind, None
