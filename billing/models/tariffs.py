"""Tariffs: per-minute prices by destination."""

from decimal import Decimal

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

prefix_validator = RegexValidator(r"^\+[0-9]{1,15}\Z|^\+\Z", _("A prefix is + followed by digits, e.g. +4850."))


class Tariff(models.Model):
    """A price list of destinations. Exactly one is the default; a customer may have its own."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    is_default = models.BooleanField(_("default tariff"), default=False)

    class Meta:
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="one_default_tariff"
            )
        ]

    def __str__(self) -> str:
        return self.name


class TariffRate(models.Model):
    """The price of calls to numbers starting with `prefix` (longest prefix wins)."""

    tariff = models.ForeignKey(Tariff, on_delete=models.CASCADE, related_name="rates", verbose_name=_("tariff"))
    prefix = models.CharField(_("prefix"), max_length=16, validators=[prefix_validator])
    destination = models.CharField(_("destination"), max_length=100)
    price_per_minute = models.DecimalField(
        _("net price per minute (PLN)"), max_digits=8, decimal_places=4, validators=[MinValueValidator(Decimal(0))]
    )
    connection_fee = models.DecimalField(
        _("net connection fee (PLN)"),
        max_digits=8,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal(0))],
    )
    first_increment = models.PositiveSmallIntegerField(_("first billing period (s)"), default=1)
    next_increment = models.PositiveSmallIntegerField(_("next billing periods (s)"), default=1)

    class Meta:
        verbose_name = _("tariff rate")
        verbose_name_plural = _("tariff rates")
        ordering = ["tariff", "prefix"]
        constraints = [models.UniqueConstraint(fields=["tariff", "prefix"], name="tariff_prefix_unique")]

    def __str__(self) -> str:
        return f"{self.prefix} {self.destination}"
