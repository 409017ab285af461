"""Reads of the callback app, always scoped to one customer."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from callback.models import AuthorizedNumber, CallbackOrder
from panel.models import Customer


def authorized_number_list(*, customer: Customer, query: str = "") -> QuerySet[AuthorizedNumber]:
    numbers = AuthorizedNumber.objects.for_customer(customer).select_related("presentation")
    query = query.strip()
    if query:
        compact = "".join(ch for ch in query if ch.isdigit())
        condition = Q(description__icontains=query)
        if compact:
            condition |= Q(number__contains=compact)
        numbers = numbers.filter(condition)
    return numbers


def order_list(*, customer: Customer, query: str = "") -> QuerySet[CallbackOrder]:
    orders = CallbackOrder.objects.for_customer(customer).select_related("authorized_number")
    query = query.strip()
    if query:
        compact = "".join(ch for ch in query if ch.isdigit())
        condition = Q(authorized_number__description__icontains=query)
        if compact:
            condition |= Q(target__contains=compact) | Q(authorized_number__number__contains=compact)
        orders = orders.filter(condition)
    return orders
