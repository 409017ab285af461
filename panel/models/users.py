from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from panel.tenancy import TenantQuerySet


class CustomerUserManager(UserManager.from_queryset(TenantQuerySet)):
    pass


class User(AbstractUser):
    """A person who logs in: a customer's user (exactly one customer) or an operator (staff, no customer)."""

    customer = models.ForeignKey(
        "panel.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("customer"),
        help_text=_("Required for customer users; operators (staff) have none."),
    )

    objects = CustomerUserManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.CheckConstraint(
                condition=Q(is_staff=True) | Q(customer__isnull=False),
                name="user_customer_or_staff",
                violation_error_message=_("A user who is not an operator must belong to a customer."),
            )
        ]
