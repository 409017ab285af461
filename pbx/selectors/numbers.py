"""Reads of the customer's phone numbers (DIDs) and of what their calls can be forwarded to."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Model, Q, QuerySet

from panel.models import Customer
from pbx import registry
from pbx.models import ExternalNumber, PhoneNumber, Queue, Scheme, SipAccount


@dataclass(frozen=True)
class RouteTargets:
    """Everything of one customer a phone number can be forwarded to, read once per page."""

    extensions: list[SipAccount]
    external_numbers: list[ExternalNumber]
    queues: list[Queue]
    schemes: list[Scheme] = field(default_factory=list)
    # The targets other apps offer (pbx.registry.route_targets), each kind with the customer's labelled choices.
    registered: list[tuple[registry.RouteTarget, list[tuple[Model, str]]]] = field(default_factory=list)


def phone_number_list(*, customer: Customer, query: str = "") -> QuerySet[PhoneNumber]:
    """The customer's numbers, optionally matching `query` in the number, area or description."""
    queryset = PhoneNumber.objects.for_customer(customer).order_by("number")
    query = query.strip()
    if query:
        condition = Q(description__icontains=query) | Q(area__icontains=query)
        digits = re.sub(r"[\s\-./()]", "", query)
        if digits:
            condition |= Q(number__icontains=digits)
        queryset = queryset.filter(condition)
    return queryset


def route_targets(*, customer: Customer) -> RouteTargets:
    return RouteTargets(
        extensions=sorted(
            SipAccount.objects.for_customer(customer), key=lambda account: (len(account.extension), account.extension)
        ),
        external_numbers=list(ExternalNumber.objects.for_customer(customer).order_by("number")),
        queues=list(Queue.objects.for_customer(customer).order_by("name")),
        schemes=list(Scheme.objects.for_customer(customer).order_by("name")),
        registered=[(target, list(target.choices(customer=customer))) for target in registry.route_targets.values()],
    )
