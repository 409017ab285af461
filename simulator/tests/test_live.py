"""The live-call simulator: plausible calls, and the command that keeps a few going for the monitoring page."""

import random
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from billing.models import CallRecord
from pbx.models import LiveCall
from pbx.tests import factories
from simulator.live import plan_call

SLEEP = "simulator.management.commands.simulate_live_calls.time.sleep"


def test_planned_calls_come_to_the_customers_numbers_and_extensions():
    rng = random.Random(7)
    plans = [
        plan_call(rng, phone_numbers=["+48221234567"], extensions=["11", "12"], queues=["100"], seconds=60)
        for _ in range(200)
    ]
    incoming = [plan for plan in plans if plan.direction == "in"]
    internal = [plan for plan in plans if plan.direction == "local"]
    assert incoming and internal
    assert {plan.callee for plan in incoming} == {"+48221234567"}
    assert {plan.extension for plan in incoming} == {"11", "12", ""}  # some not answered by an agent yet
    assert {plan.queue for plan in incoming} == {"100", ""}
    assert all(plan.caller != plan.callee and {plan.caller, plan.callee} == {"11", "12"} for plan in internal)
    assert all(30 <= plan.talk_seconds <= 60 and 2 <= plan.ring_seconds <= 6 for plan in plans)


@pytest.mark.django_db
def test_the_command_plays_calls_from_start_to_end_and_reports_their_records(customer, monkeypatch):
    factories.phone_number(customer, number="+48221234567")
    factories.sip_account(customer, extension="11", name="")
    monkeypatch.setattr(SLEEP, lambda seconds: None)
    out = StringIO()
    call_command("simulate_live_calls", customer="firmaabcde", calls=3, seconds=5, seed=1, stdout=out)
    calls = LiveCall.objects.for_customer(customer)
    assert calls.count() == 3 and set(calls.values_list("state", flat=True)) == {"ended"}
    assert CallRecord.objects.for_customer(customer).count() == 3
    assert out.getvalue().count("started ") == 3


@pytest.mark.django_db
def test_ctrl_c_ends_the_calls_still_going_on(customer, monkeypatch):
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        if len(slept) == 3:  # both calls have started, none has ended
            raise KeyboardInterrupt

    monkeypatch.setattr(SLEEP, sleep)
    call_command("simulate_live_calls", customer="firmaabcde", calls=2, seconds=60, seed=1, stdout=StringIO())
    assert set(LiveCall.objects.for_customer(customer).values_list("state", flat=True)) == {"ended"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "arguments",
    [{"customer": "nikt"}, {"customer": "firmaabcde", "calls": 0}, {"customer": "firmaabcde", "seconds": 0}],
)
def test_wrong_arguments_are_refused(customer, arguments):
    with pytest.raises(CommandError):
        call_command("simulate_live_calls", **arguments)
