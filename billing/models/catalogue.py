from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from billing.choices import BillingPeriod, ServiceCode
from panel.choices import Package

MONEY = {"max_digits": 10, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class PackagePlan(models.Model):
    """The monthly fee of a package (Mini … Elite); operators edit it, customers' `package` names it."""

    code = models.CharField(_("package"), max_length=20, choices=Package.choices, unique=True)
    monthly_fee = models.DecimalField(_("net monthly fee (PLN)"), **MONEY)

    class Meta:
        verbose_name = _("package")
        verbose_name_plural = _("packages")
        ordering = ["monthly_fee"]

    def __str__(self) -> str:
        return self.get_code_display()


class Service(models.Model):
    """A paid option of the catalogue ("Twoje Usługi"): its fees and the packages that include or exclude it."""

    code = models.CharField(_("code"), max_length=30, choices=ServiceCode.choices, unique=True)
    name_pl = models.CharField(_("name (Polish)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    description_pl = models.TextField(_("description (Polish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    activation_fee = models.DecimalField(_("net activation fee (PLN)"), default=Decimal("0"), **MONEY)
    period_fee = models.DecimalField(
        _("net fee per period (PLN)"), default=Decimal("0"), help_text=_("Per month, or per 3 days."), **MONEY
    )
    period = models.CharField(_("billing period"), max_length=12, choices=BillingPeriod.choices, default="month")
    max_quantity = models.PositiveSmallIntegerField(
        _("maximum quantity"), default=1, validators=[MinValueValidator(1)], help_text=_("e.g. 23 steps of 30 days")
    )
    included_in = models.ManyToManyField(
        PackagePlan, blank=True, related_name="included_services", verbose_name=_("included in packages")
    )
    unavailable_in = models.ManyToManyField(
        PackagePlan, blank=True, related_name="unavailable_services", verbose_name=_("unavailable in packages")
    )
    requires = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requires"),
        help_text=_("Another service that must be on first (e.g. recording before longer retention)."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_offered = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "pl").startswith("en") else self.name_pl

    @property
    def description(self) -> str:
        return self.description_en if (get_language() or "pl").startswith("en") else self.description_pl
