from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from panel.choices import Package

prefix_validator = RegexValidator(
    r"^[a-z0-9]{3,20}\Z",
    _("The login prefix must be 3 to 20 lowercase letters (a-z) or digits."),
)


class Customer(models.Model):
    """A business customer of the provider: the tenant that owns every PBX object.

    The login prefix names its SIP accounts (`<prefix>_<extension>`), its FTP
    login and its recordings folder, so it never changes once set.
    """

    name = models.CharField(_("name"), max_length=200)
    prefix = models.CharField(
        _("login prefix"),
        max_length=20,
        unique=True,
        validators=[prefix_validator],
        help_text=_("3 to 20 lowercase letters or digits, e.g. firmaabcde. Used in SIP and FTP log-ins."),
    )
    package = models.CharField(_("package"), max_length=20, choices=Package.choices, default=Package.START)
    vat_rate = models.DecimalField(
        _("VAT rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("23.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    tariff = models.ForeignKey(
        "billing.Tariff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customers",
        verbose_name=_("tariff"),
        help_text=_("Empty: the default tariff."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"
