"""Writes of the queues area: queue settings, the static agents and their ring order, agent log-in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from panel.models import Customer
from pbx import choices
from pbx.models import ExternalNumber, PhoneNumber, Queue, QueueAgent, SipAccount
from pbx.selectors.queues import queue_scheme_usages


class AgentOrderError(ValidationError):
    """The posted ring order is not exactly the queue's static agents."""


def _ensure_owned(*, customer: Customer, queue: Queue) -> Queue:
    """The queue locked for the rest of the transaction, or an error when it is not the customer's."""
    locked = Queue.objects.for_customer(customer).select_for_update().filter(pk=queue.pk).first()
    if locked is None:
        raise ValidationError(_("This queue does not exist."))
    return locked


def _renumber(queue: Queue) -> None:
    agents = list(QueueAgent.objects.filter(queue=queue, is_dynamic=False).order_by("position", "pk"))
    for index, agent in enumerate(agents, start=1):
        agent.position = index
    QueueAgent.objects.bulk_update(agents, ["position"])


@transaction.atomic
def queue_save(*, customer: Customer, queue: Queue) -> Queue:
    """Create or update a queue of `customer`, checking its number against the dial plan once more."""
    if queue.pk:
        _ensure_owned(customer=customer, queue=queue)
    queue.customer = customer
    queue.full_clean()
    queue.save()
    return queue


@transaction.atomic
def queue_delete(*, customer: Customer, queue: Queue) -> None:
    """Delete a queue and its agents, unless a phone number still sends its calls there."""
    queue = _ensure_owned(customer=customer, queue=queue)
    routed = list(
        PhoneNumber.objects.for_customer(customer)
        .filter(route_kind=choices.RouteKind.QUEUE, route_queue=queue)
        .values_list("number", flat=True)
    )
    if routed:
        raise ValidationError(
            _("Phone numbers %(numbers)s forward their calls to this queue. Change their forwarding first.")
            % {"numbers": ", ".join(routed)}
        )
    schemes = queue_scheme_usages(customer=customer, queue=queue)
    if schemes:
        raise ValidationError(schemes)
    # A number forwarded elsewhere may still remember this queue; that link no longer routes anything.
    PhoneNumber.objects.for_customer(customer).filter(route_queue=queue).update(route_queue=None)
    queue.delete()


@transaction.atomic
def queue_agent_add(
    *,
    customer: Customer,
    queue: Queue,
    sip: SipAccount | None = None,
    external: ExternalNumber | None = None,
) -> QueueAgent:
    """Put one of the customer's extensions or external numbers at the end of the queue's ring order."""
    queue = _ensure_owned(customer=customer, queue=queue)
    if (sip is None) == (external is None):
        raise ValidationError(_("Choose one extension or one external number to add."))
    target = sip or external
    if target.customer_id != customer.pk:
        raise ValidationError(_("Choose one of your extensions or external numbers."))
    static = QueueAgent.objects.filter(queue=queue, is_dynamic=False)
    if sip is not None and static.filter(sip=sip).exists():
        raise ValidationError(_("Extension %(agent)s is already an agent of this queue.") % {"agent": sip.extension})
    if external is not None and static.filter(external=external).exists():
        raise ValidationError(
            _("External number %(agent)s is already an agent of this queue.") % {"agent": external.number}
        )
    last = static.aggregate(last=Max("position"))["last"] or 0
    agent = QueueAgent(queue=queue, sip=sip, external=external, position=last + 1)
    agent.full_clean()
    agent.save()
    return agent


@transaction.atomic
def queue_agent_remove(*, customer: Customer, agent: QueueAgent) -> None:
    """Take an agent out of the queue (a dynamic agent is thereby logged out) and close the gap in the order."""
    queue = _ensure_owned(customer=customer, queue=agent.queue)
    QueueAgent.objects.filter(pk=agent.pk, queue=queue).delete()
    _renumber(queue)


@transaction.atomic
def queue_agents_reorder(*, customer: Customer, queue: Queue, agent_ids: Sequence[int]) -> list[QueueAgent]:
    """Rewrite the ring order of the static agents; `agent_ids` must name each of them exactly once."""
    queue = _ensure_owned(customer=customer, queue=queue)
    agents = {agent.pk: agent for agent in QueueAgent.objects.select_for_update().filter(queue=queue, is_dynamic=False)}
    ids = list(agent_ids)
    if len(ids) != len(set(ids)):
        raise AgentOrderError(_("The new order lists an agent twice. Nothing was changed."))
    if set(ids) != set(agents):
        raise AgentOrderError(
            _(
                "The new order does not match the agents of this queue. "
                "Nothing was changed; reload the page and try again."
            )
        )
    ordered = [agents[pk] for pk in ids]
    for index, agent in enumerate(ordered, start=1):
        agent.position = index
    QueueAgent.objects.bulk_update(ordered, ["position"])
    return ordered


@transaction.atomic
def queue_agent_move(*, customer: Customer, agent: QueueAgent, direction: Literal["up", "down"]) -> bool:
    """Swap a static agent with its neighbour above or below; False when it is already at that end."""
    queue = _ensure_owned(customer=customer, queue=agent.queue)
    ids = list(
        QueueAgent.objects.filter(queue=queue, is_dynamic=False).order_by("position", "pk").values_list("pk", flat=True)
    )
    if agent.pk not in ids:
        raise ValidationError(_("This agent is not in the queue any more."))
    index = ids.index(agent.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ids):
        return False
    ids[index], ids[other] = ids[other], ids[index]
    queue_agents_reorder(customer=customer, queue=queue, agent_ids=ids)
    return True


@transaction.atomic
def queue_agent_log_in(*, customer: Customer, queue: Queue, sip: SipAccount) -> QueueAgent:
    """An extension dialled `<queue number>*1`: it becomes a dynamic agent until it logs out."""
    queue = _ensure_owned(customer=customer, queue=queue)
    if sip.customer_id != customer.pk:
        raise ValidationError(_("Choose one of your extensions."))
    static = QueueAgent.objects.filter(queue=queue, is_dynamic=False, sip=sip).first()
    if static is not None:
        return static
    agent, _created = QueueAgent.objects.get_or_create(
        queue=queue, sip=sip, is_dynamic=True, defaults={"logged_in_at": timezone.now()}
    )
    return agent


@transaction.atomic
def queue_agent_log_out(*, customer: Customer, queue: Queue, sip: SipAccount) -> bool:
    """An extension dialled `<queue number>*2`: its dynamic membership ends (static agents stay)."""
    queue = _ensure_owned(customer=customer, queue=queue)
    deleted, _details = QueueAgent.objects.filter(queue=queue, sip=sip, is_dynamic=True).delete()
    return bool(deleted)
