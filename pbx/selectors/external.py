"""Reads of external numbers, always scoped to one customer."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from panel.models import Customer
from pbx import choices
from pbx.models import ExternalNumber, PhoneNumber, QueueAgent, SipAccount
from pbx.numbering import format_number
from pbx.selectors.schemes import schemes_naming

FORWARD_CONDITIONS = (
    ("no_answer", choices.ForwardCondition.NO_ANSWER),
    ("busy", choices.ForwardCondition.BUSY),
    ("unavailable", choices.ForwardCondition.UNAVAILABLE),
)


def external_number_list(*, customer: Customer, query: str = "") -> QuerySet[ExternalNumber]:
    """The customer's external numbers, optionally matching `query` in number, description or short code."""
    queryset = ExternalNumber.objects.for_customer(customer).order_by("number")
    query = query.strip()
    if query:
        condition = Q(description__icontains=query) | Q(short_code__icontains=query)
        digits = re.sub(r"[\s\-./()]", "", query)
        if digits:
            condition |= Q(number__icontains=digits)
        queryset = queryset.filter(condition)
    return queryset


def external_number_taken(*, customer: Customer, number: str, exclude_pk: int | None = None) -> bool:
    """Whether the customer already has `number` (E.164) on its list, other than the one being edited."""
    queryset = ExternalNumber.objects.for_customer(customer).filter(number=number)
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.exists()


def is_own_phone_number(*, customer: Customer, number: str) -> bool:
    """Whether `number` is one of the customer's own DIDs (forwarding to it would loop back)."""
    return PhoneNumber.objects.for_customer(customer).filter(number=number).exists()


def external_number_usages(*, customer: Customer, external_number: ExternalNumber) -> list[str]:
    """Where the external number is a forward target, in words; empty when it can be deleted."""
    usages: list[str] = []
    by_condition = Q()
    for condition, _label in FORWARD_CONDITIONS:
        by_condition |= Q(**{f"fwd_{condition}_external": external_number})
    accounts = SipAccount.objects.for_customer(customer).filter(by_condition).order_by("extension")
    for account in accounts:
        for condition, label in FORWARD_CONDITIONS:
            if getattr(account, f"fwd_{condition}_external_id") == external_number.pk:
                usages.append(
                    _("SIP account %(account)s: forwarding on “%(condition)s”")
                    % {"account": account, "condition": label.label}
                )
    numbers = PhoneNumber.objects.for_customer(customer).filter(route_external=external_number).order_by("number")
    for number in numbers:
        usages.append(_("Phone number %(number)s: “Forward to”") % {"number": format_number(number.number)})
    agents = QueueAgent.objects.for_customer(customer).filter(external=external_number, is_dynamic=False)
    for agent in agents.select_related("queue").order_by("queue__name"):
        usages.append(_("Queue %(queue)s: agent") % {"queue": agent.queue})
    usages += external_number_scheme_usages(customer=customer, external_number=external_number)
    return usages


def external_number_scheme_usages(*, customer: Customer, external_number: ExternalNumber) -> list[str]:
    """The call-flow schemes with an element that forwards calls to the external number."""
    schemes = schemes_naming(
        customer=customer, node_types=("external",), key="external_number", object_id=external_number.pk
    )
    return [
        _("Call-flow scheme %(scheme)s: an element forwards calls to this number") % {"scheme": scheme}
        for scheme in schemes
    ]
