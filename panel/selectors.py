"""Reads of the panel app, always scoped to one customer."""

from __future__ import annotations

from django.db.models import QuerySet

from panel.models import Customer, User


def user_list(*, customer: Customer) -> QuerySet[User]:
    return User.objects.for_customer(customer).order_by("username")
