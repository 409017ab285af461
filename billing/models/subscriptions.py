from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from billing.choices import SubscriptionStatus
from panel.tenancy import TenantModel


class Subscription(TenantModel):
    """A customer's switched-on service. Cancelling keeps it until `ends_at` (the end of the billing period)."""

    service = models.ForeignKey(
        "billing.Service", on_delete=models.PROTECT, related_name="subscriptions", verbose_name=_("service")
    )
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])
    status = models.CharField(
        _("status"), max_length=12, choices=SubscriptionStatus.choices, default=SubscriptionStatus.ACTIVE
    )
    started_at = models.DateTimeField(_("started"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True, help_text=_("Empty: runs until cancelled."))
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "service"],
                condition=~Q(status="ended"),
                name="one_running_subscription_per_service",
            )
        ]
        indexes = [models.Index(fields=["customer", "status"])]

    def __str__(self) -> str:
        return f"{self.customer.prefix}: {self.service}"

    def is_active_at(self, moment) -> bool:
        return self.started_at <= moment and (self.ends_at is None or moment < self.ends_at)
