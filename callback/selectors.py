"""Reads of the callback app, always scoped to one customer."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from callback.models import AuthorizedNumber, CallbackOrder
from callback.services import service_number
from panel.models import Customer
from pbx.routing import model as routing


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


def dial_in_routing_part(*, customer: Customer) -> dict[str, object]:
    """The customer's authorized numbers and the service number they dial in to, for the routing snapshot."""
    return {
        "authorized_numbers": {
            # Only whether a PIN is set: the PIN itself stays in the database.
            authorized.number: routing.AuthorizedNumber(
                number=authorized.number,
                description=authorized.description,
                has_pin=bool(authorized.pin),
                presentation=authorized.presentation.number if authorized.presentation_id else "",
            )
            for authorized in AuthorizedNumber.objects.for_customer(customer).select_related("presentation")
        },
        "service_number": service_number(),
    }
