"""Rules of a queue and its agents: the number in the dial plan, time bounds, the agent invariants."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from pbx import choices
from pbx.forms.queues import QueueForm
from pbx.models import QueueAgent
from pbx.tests import factories

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "name": "Sekretariat",
        "number": "1000",
        "strategy": choices.RingStrategy.RING_ALL,
        "agent_ring_time": "15",
        "max_wait": "300",
        "timeout_action": "hangup",
        "timeout_sip": "",
        "greeting": "system",
    }
    data.update(overrides)
    return data


def queue_form(customer, instance=None, **overrides):
    return QueueForm(data=form_data(**overrides), customer=customer, instance=instance)


@pytest.mark.smoke
def test_defaults_match_the_product(customer):
    queue = factories.queue(customer, name="Biuro", number="1000")
    assert queue.strategy == choices.RingStrategy.RING_ALL
    assert queue.agent_ring_time == 15
    assert queue.max_wait == 300
    assert queue.timeout_action == "hangup"
    assert (queue.login_code, queue.logout_code) == ("1000*1", "1000*2")


@pytest.mark.smoke
@pytest.mark.parametrize("number", ["10", "1000", "123456"])
def test_number_of_2_to_6_digits_is_valid(customer, number):
    assert queue_form(customer, number=number).is_valid()


@pytest.mark.parametrize("number", ["1", "1234567", "10a", "*10", "", "10 0"])
def test_number_must_be_2_to_6_digits(customer, number):
    form = queue_form(customer, number=number)
    assert not form.is_valid()
    assert "number" in form.errors


def test_number_of_an_extension_is_refused(customer):
    factories.sip_account(customer, extension="100", name="Biuro")
    form = queue_form(customer, number="100")
    assert not form.is_valid()
    assert "100" in form.errors["number"][0]
    assert "numer wewnętrzny 100 Biuro" in form.errors["number"][0]


def test_extension_of_another_customer_does_not_block_the_number(customer, other_customer):
    factories.sip_account(other_customer, extension="100")
    assert queue_form(customer, number="100").is_valid()


def test_number_of_another_queue_is_refused(customer):
    factories.queue(customer, name="Handel", number="1000")
    form = queue_form(customer, number="1000")
    assert not form.is_valid()
    assert "kolejka Handel" in form.errors["number"][0]


def test_log_in_code_collision_is_refused(customer, monkeypatch):
    """A code like 1000*1 already in the dial plan (e.g. an older queue's log-in code) blocks the number."""
    from pbx.services import dial_plan

    real = dial_plan.dial_plan

    def plan_with_star_code(*, customer):
        return {**real(customer=customer), "2000*1": "a feature code"}

    monkeypatch.setattr(dial_plan, "dial_plan", plan_with_star_code)
    form = queue_form(customer, number="2000")
    assert not form.is_valid()
    assert "2000*1" in form.errors["number"][0]
    assert queue_form(customer, number="2001").is_valid()


def test_log_out_code_collision_is_refused(customer, monkeypatch):
    from pbx.services import dial_plan

    real = dial_plan.dial_plan
    monkeypatch.setattr(
        dial_plan, "dial_plan", lambda *, customer: {**real(customer=customer), "2000*2": "a feature code"}
    )
    form = queue_form(customer, number="2000")
    assert not form.is_valid()
    assert "2000*2" in form.errors["number"][0]


def test_saving_a_queue_unchanged_is_not_a_collision_with_itself(customer):
    queue = factories.queue(customer, name="Sekretariat", number="1000")
    assert queue_form(customer, instance=queue, name="Nowa nazwa").is_valid()


def test_changing_the_number_frees_the_old_codes_only_for_this_queue(customer):
    queue = factories.queue(customer, name="Sekretariat", number="1000")
    factories.queue(customer, name="Handel", number="2000")
    assert queue_form(customer, instance=queue, number="1001").is_valid()
    assert not queue_form(customer, instance=queue, number="2000").is_valid()


@pytest.mark.parametrize("seconds", ["5", "15", "300"])
def test_ring_time_within_bounds_is_valid(customer, seconds):
    assert queue_form(customer, agent_ring_time=seconds).is_valid()


@pytest.mark.parametrize("seconds", ["4", "0", "301", "-5", "abc"])
def test_ring_time_out_of_bounds_is_refused(customer, seconds):
    form = queue_form(customer, agent_ring_time=seconds)
    assert not form.is_valid()
    assert "agent_ring_time" in form.errors


@pytest.mark.parametrize(("seconds", "valid"), [("10", True), ("3600", True), ("9", False), ("3601", False)])
def test_max_wait_bounds(customer, seconds, valid):
    assert queue_form(customer, max_wait=seconds).is_valid() is valid


def test_forward_to_extension_needs_an_extension(customer):
    form = queue_form(customer, timeout_action="extension")
    assert not form.is_valid()
    assert "timeout_sip" in form.errors
    sip = factories.sip_account(customer, extension="10")
    assert queue_form(customer, timeout_action="extension", timeout_sip=str(sip.pk)).is_valid()


def test_forward_to_another_customers_extension_is_refused(customer, other_customer):
    foreign = factories.sip_account(other_customer, extension="10")
    form = queue_form(customer, timeout_action="extension", timeout_sip=str(foreign.pk))
    assert not form.is_valid()
    assert "timeout_sip" in form.errors


def test_hang_up_forgets_the_extension(customer):
    sip = factories.sip_account(customer, extension="10")
    form = queue_form(customer, timeout_action="hangup", timeout_sip=str(sip.pk))
    assert form.is_valid()
    assert form.instance.timeout_sip is None


def test_agent_is_exactly_one_of_extension_or_external_number(customer):
    queue = factories.queue(customer, name="Q", number="1000")
    sip = factories.sip_account(customer, extension="10")
    external = factories.external_number(customer, number="+48111222333")
    for kwargs in ({"sip": sip, "external": external}, {}):
        agent = QueueAgent(queue=queue, **kwargs)
        with pytest.raises(ValidationError):
            agent.full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            agent.save()
    QueueAgent(queue=queue, sip=sip).full_clean()
    QueueAgent(queue=queue, external=external).full_clean()


def test_duplicate_static_agent_is_refused(customer):
    queue = factories.queue(customer, name="Q", number="1000")
    sip = factories.sip_account(customer, extension="10")
    external = factories.external_number(customer, number="+48111222333")
    factories.queue_agent(queue, sip=sip, position=1)
    factories.queue_agent(queue, external=external, position=2)
    with pytest.raises(ValidationError, match="już konsultantem"):
        QueueAgent(queue=queue, sip=sip, position=3).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        QueueAgent.objects.create(queue=queue, external=external, position=3)
    # The same extension may be an agent of another queue.
    other = factories.queue(customer, name="R", number="2000")
    QueueAgent(queue=other, sip=sip, position=1).full_clean()


def test_agent_of_another_customer_is_refused(customer, other_customer):
    queue = factories.queue(customer, name="Q", number="1000")
    foreign = factories.sip_account(other_customer, extension="10")
    with pytest.raises(ValidationError):
        QueueAgent(queue=queue, sip=foreign).full_clean()


def test_agents_are_scoped_to_the_customer_through_the_queue(customer, other_customer):
    mine = factories.queue(customer, name="Q", number="1000")
    theirs = factories.queue(other_customer, name="Q", number="1000")
    own = factories.queue_agent(mine, sip=factories.sip_account(customer, extension="10"))
    factories.queue_agent(theirs, sip=factories.sip_account(other_customer, extension="10"))
    assert list(QueueAgent.objects.for_customer(customer)) == [own]
