"""The single scoping mechanism that keeps customers apart.

Every tenant-owned model reaches `Customer` by a required foreign key and
uses `TenantManager`, whose `for_customer()` is the only way customer-facing
code reads such objects. A model that reaches the customer through another
model declares the path: `objects = TenantManager(path="queue__customer")`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from panel.models import Customer


class TenantQuerySet(models.QuerySet):
    customer_path = "customer"

    def for_customer(self, customer: Customer | None) -> TenantQuerySet:
        """Objects of `customer` only; nothing at all for no customer."""
        if customer is None or customer.pk is None:
            return self.none()
        return self.filter(**{self.customer_path: customer})


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    def __init__(self, path: str = "customer") -> None:
        super().__init__()
        self.customer_path = path

    def get_queryset(self) -> TenantQuerySet:
        queryset = super().get_queryset()
        queryset.customer_path = self.customer_path
        return queryset


class TenantModel(models.Model):
    """Base for every model owned by exactly one customer."""

    customer = models.ForeignKey(
        "panel.Customer",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("customer"),
    )

    objects = TenantManager()

    class Meta:
        abstract = True
