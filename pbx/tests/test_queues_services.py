"""Services of the queues area: agents, the ring order, deletion, log-in by code."""

import pytest
from django.core.exceptions import ValidationError

from pbx import choices
from pbx.models import Queue, QueueAgent
from pbx.selectors import queues as selectors
from pbx.services import queues as services
from pbx.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(customer):
    return factories.queue(customer, name="Sekretariat", number="1000")


@pytest.fixture
def agents(customer, queue):
    """Three static agents: extensions 10 and 11 and an external number, in that order."""
    result = []
    for extension in ("10", "11"):
        sip = factories.sip_account(customer, extension=extension)
        result.append(services.queue_agent_add(customer=customer, queue=queue, sip=sip))
    external = factories.external_number(customer, number="+48111222333")
    result.append(services.queue_agent_add(customer=customer, queue=queue, external=external))
    return result


def order(customer, queue):
    return selectors.queue_agent_order(customer=customer, queue=queue)


def test_agents_are_added_at_the_end_of_the_ring_order(customer, queue, agents):
    assert [agent.position for agent in agents] == [1, 2, 3]
    assert order(customer, queue) == [agent.pk for agent in agents]


def test_adding_the_same_extension_twice_is_refused(customer, queue, agents):
    with pytest.raises(ValidationError, match="już konsultantem"):
        services.queue_agent_add(customer=customer, queue=queue, sip=agents[0].sip)
    with pytest.raises(ValidationError, match="już konsultantem"):
        services.queue_agent_add(customer=customer, queue=queue, external=agents[2].external)
    assert QueueAgent.objects.filter(queue=queue).count() == 3


def test_adding_another_customers_extension_is_refused(customer, other_customer, queue):
    foreign = factories.sip_account(other_customer, extension="10")
    with pytest.raises(ValidationError):
        services.queue_agent_add(customer=customer, queue=queue, sip=foreign)
    assert not QueueAgent.objects.exists()


def test_adding_to_another_customers_queue_is_refused(customer, other_customer):
    foreign_queue = factories.queue(other_customer, name="Q", number="1000")
    sip = factories.sip_account(customer, extension="10")
    with pytest.raises(ValidationError):
        services.queue_agent_add(customer=customer, queue=foreign_queue, sip=sip)


def test_adding_needs_exactly_one_target(customer, queue):
    with pytest.raises(ValidationError):
        services.queue_agent_add(customer=customer, queue=queue)


@pytest.mark.smoke
def test_reorder_with_all_agents_rewrites_positions(customer, queue, agents):
    first, second, third = (agent.pk for agent in agents)
    services.queue_agents_reorder(customer=customer, queue=queue, agent_ids=[third, first, second])
    assert order(customer, queue) == [third, first, second]
    positions = dict(QueueAgent.objects.values_list("pk", "position"))
    assert [positions[third], positions[first], positions[second]] == [1, 2, 3]


@pytest.mark.parametrize(
    "make_ids",
    [
        lambda ids: ids[:2],  # one missing
        lambda ids: [*ids, ids[0]],  # a duplicate
        lambda ids: [ids[0], ids[1], ids[1]],  # duplicate instead of the third
        lambda ids: [*ids, 999999],  # an unknown id
        lambda ids: [],
    ],
)
def test_reorder_with_a_wrong_list_changes_nothing(customer, queue, agents, make_ids):
    before = order(customer, queue)
    with pytest.raises(services.AgentOrderError):
        services.queue_agents_reorder(customer=customer, queue=queue, agent_ids=make_ids(before))
    assert order(customer, queue) == before


def test_reorder_refuses_agents_of_another_queue(customer, queue, agents):
    other_queue = factories.queue(customer, name="Handel", number="2000")
    stranger = services.queue_agent_add(customer=customer, queue=other_queue, sip=agents[0].sip)
    before = order(customer, queue)
    with pytest.raises(services.AgentOrderError):
        services.queue_agents_reorder(customer=customer, queue=queue, agent_ids=[*before[1:], stranger.pk])
    assert order(customer, queue) == before


def test_reorder_refuses_another_customers_agent_ids(customer, other_customer, queue, agents):
    foreign_queue = factories.queue(other_customer, name="Q", number="1000")
    foreign_sip = factories.sip_account(other_customer, extension="10")
    foreign_agent = factories.queue_agent(foreign_queue, sip=foreign_sip, position=1)
    before = order(customer, queue)
    with pytest.raises(services.AgentOrderError):
        services.queue_agents_reorder(customer=customer, queue=queue, agent_ids=[foreign_agent.pk, *before])
    assert order(customer, queue) == before
    # Nor can the other customer reorder this queue with its real ids.
    with pytest.raises(ValidationError):
        services.queue_agents_reorder(customer=other_customer, queue=queue, agent_ids=before[::-1])
    assert order(customer, queue) == before


def test_reorder_ignores_dynamic_agents(customer, queue, agents):
    dynamic_sip = factories.sip_account(customer, extension="12")
    dynamic = services.queue_agent_log_in(customer=customer, queue=queue, sip=dynamic_sip)
    ids = order(customer, queue)
    with pytest.raises(services.AgentOrderError):
        services.queue_agents_reorder(customer=customer, queue=queue, agent_ids=[*ids, dynamic.pk])
    services.queue_agents_reorder(customer=customer, queue=queue, agent_ids=ids[::-1])
    assert order(customer, queue) == ids[::-1]


def test_move_down_and_up_swap_neighbours(customer, queue, agents):
    first, second, third = (agent.pk for agent in agents)
    assert services.queue_agent_move(customer=customer, agent=agents[0], direction="down")
    assert order(customer, queue) == [second, first, third]
    assert services.queue_agent_move(customer=customer, agent=agents[2], direction="up")
    assert order(customer, queue) == [second, third, first]
    # Already at the end: nothing happens.
    assert not services.queue_agent_move(customer=customer, agent=agents[1], direction="up")
    assert order(customer, queue) == [second, third, first]


def test_remove_closes_the_gap(customer, queue, agents):
    services.queue_agent_remove(customer=customer, agent=agents[0])
    assert list(QueueAgent.objects.filter(queue=queue).order_by("position").values_list("position", flat=True)) == [
        1,
        2,
    ]


def test_log_in_and_out_by_code_make_a_dynamic_agent(customer, queue):
    sip = factories.sip_account(customer, extension="15")
    agent = services.queue_agent_log_in(customer=customer, queue=queue, sip=sip)
    assert agent.is_dynamic and agent.logged_in_at is not None
    assert services.queue_agent_log_in(customer=customer, queue=queue, sip=sip) == agent  # twice is once
    assert list(selectors.queue_dynamic_agents(customer=customer, queue=queue)) == [agent]
    assert list(selectors.queue_static_agents(customer=customer, queue=queue)) == []
    assert services.queue_agent_log_out(customer=customer, queue=queue, sip=sip)
    assert not QueueAgent.objects.exists()


def test_delete_is_refused_while_a_phone_number_routes_to_the_queue(customer, queue, agents):
    factories.phone_number(customer, number="+48943401128", route_kind=choices.RouteKind.QUEUE, route_queue=queue)
    with pytest.raises(ValidationError, match=r"\+48943401128"):
        services.queue_delete(customer=customer, queue=queue)
    assert Queue.objects.filter(pk=queue.pk).exists()


def test_delete_removes_the_queue_and_its_agents(customer, queue, agents):
    stale = factories.phone_number(
        customer, number="+48943401129", route_kind=choices.RouteKind.NONE, route_queue=queue
    )
    services.queue_delete(customer=customer, queue=queue)
    assert not Queue.objects.exists() and not QueueAgent.objects.exists()
    stale.refresh_from_db()
    assert stale.route_queue is None


def test_delete_of_another_customers_queue_is_refused(customer, other_customer, queue):
    with pytest.raises(ValidationError):
        services.queue_delete(customer=other_customer, queue=queue)
    assert Queue.objects.filter(pk=queue.pk).exists()


def test_number_suggestion_skips_taken_numbers(customer, queue):
    assert selectors.queue_number_suggestion(customer=customer) == "1001"
    factories.sip_account(customer, extension="1001")
    assert selectors.queue_number_suggestion(customer=customer) == "1002"
