"""Reads of the queues area, always scoped to one customer."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from panel.models import Customer
from pbx import choices
from pbx.models import PhoneNumber, Queue, QueueAgent
from pbx.models.queues import queue_codes
from pbx.selectors.dial_plan import dial_plan
from pbx.selectors.schemes import schemes_naming

FIRST_SUGGESTED_NUMBER = 1000


def queue_list(*, customer: Customer, query: str = "") -> QuerySet[Queue]:
    """The customer's queues with their agent counts, filtered by name or number."""
    queryset = Queue.objects.for_customer(customer).annotate(
        agent_count=Count("agents", filter=Q(agents__is_dynamic=False)),
        dynamic_agent_count=Count("agents", filter=Q(agents__is_dynamic=True)),
    )
    query = query.strip()
    if query:
        queryset = queryset.filter(Q(name__icontains=query) | Q(number__startswith=query))
    return queryset.order_by("name", "number")


def queue_static_agents(*, customer: Customer, queue: Queue) -> QuerySet[QueueAgent]:
    """The agents added in the panel, in ring order."""
    return (
        QueueAgent.objects.for_customer(customer)
        .filter(queue=queue, is_dynamic=False)
        .select_related("sip__customer", "external")
        .order_by("position", "pk")
    )


def queue_dynamic_agents(*, customer: Customer, queue: Queue) -> QuerySet[QueueAgent]:
    """Extensions logged in to the queue by dialling its log-in code, earliest first."""
    return (
        QueueAgent.objects.for_customer(customer)
        .filter(queue=queue, is_dynamic=True)
        .select_related("sip__customer")
        .order_by("logged_in_at", "pk")
    )


def queue_agent_order(*, customer: Customer, queue: Queue) -> list[int]:
    return list(queue_static_agents(customer=customer, queue=queue).values_list("pk", flat=True))


def queue_routing_numbers(*, customer: Customer, queue: Queue) -> QuerySet[PhoneNumber]:
    """The customer's phone numbers (DIDs) whose calls go to the queue."""
    return PhoneNumber.objects.for_customer(customer).filter(route_kind=choices.RouteKind.QUEUE, route_queue=queue)


def queue_scheme_usages(*, customer: Customer, queue: Queue) -> list[str]:
    """The call-flow schemes with an element that sends calls to the queue (it cannot be deleted while they do)."""
    schemes = schemes_naming(customer=customer, node_types=("queue",), key="queue", object_id=queue.pk)
    return [
        _("Call-flow scheme %(scheme)s: an element sends calls to this queue") % {"scheme": scheme}
        for scheme in schemes
    ]


def queue_number_suggestion(*, customer: Customer) -> str:
    """The first free queue number from 1000 up whose log-in and log-out codes are free too."""
    plan = dial_plan(customer=customer)
    for candidate in range(FIRST_SUGGESTED_NUMBER, 1_000_000):
        number = str(candidate)
        if not any(code in plan for code in (number, *queue_codes(number))):
            return number
    return ""
