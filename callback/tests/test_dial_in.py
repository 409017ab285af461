import pytest

from billing.choices import LegKind
from billing.models import CallRecord
from callback.choices import OrderChannel, OrderReason, OrderStatus
from callback.models import CallbackOrder
from callback.services import dial_in
from callback.tests import factories
from pbx.routing.dialin import IvrOutcome, IvrStep, run_dial_in
from recordings.models import Recording

# ---- the IVR itself (plain Python) ----


@pytest.mark.smoke
def test_unrecognised_caller_is_hung_up_on():
    result = run_dial_in(recognised=False, pin="", entries=["1234#", "111222333#"])
    assert result.outcome == IvrOutcome.HANG_UP_UNKNOWN
    assert result.steps == [IvrStep.HANG_UP]


@pytest.mark.smoke
def test_pin_then_target():
    result = run_dial_in(recognised=True, pin="1234", entries=["1234#", "111222333#"])
    assert result.outcome == IvrOutcome.TARGET
    assert result.target == "111222333"
    assert result.steps == [IvrStep.PROMPT_PIN, IvrStep.PIN_OK, IvrStep.PROMPT_TARGET]


@pytest.mark.smoke
def test_pin_right_on_the_third_try():
    result = run_dial_in(recognised=True, pin="1234", entries=["1#", "9999#", "1234#", "*49301234567#"])
    assert (result.outcome, result.wrong_pins, result.target) == (IvrOutcome.TARGET, 2, "+49301234567")


@pytest.mark.smoke
def test_three_wrong_pins_hang_up():
    result = run_dial_in(recognised=True, pin="1234", entries=["1#", "2#", "3#", "111222333#"])
    assert (result.outcome, result.wrong_pins) == (IvrOutcome.HANG_UP_WRONG_PIN, 3)
    assert result.steps[-1] == IvrStep.HANG_UP


@pytest.mark.smoke
def test_no_pin_set_asks_only_for_the_number():
    result = run_dial_in(recognised=True, pin="", entries=["0049301234567#"])
    assert result.steps == [IvrStep.PROMPT_TARGET]
    assert result.target == "0049301234567"


@pytest.mark.smoke
@pytest.mark.parametrize("entry", ["111222333", "#", ""])
def test_target_must_end_with_hash(entry):
    result = run_dial_in(recognised=True, pin="", entries=[entry])
    assert result.outcome == IvrOutcome.NO_TARGET


# ---- the service: caller lookup, checks and the call ----

with_db = pytest.mark.django_db


@with_db
def test_dial_in_connects_with_only_the_target_leg_billable(authorized):
    result = dial_in(caller="888 777 666", entries=["1234#", "111222333#"])
    order = CallbackOrder.objects.get(pk=result.order.pk)
    assert (order.channel, order.status, order.target) == (
        OrderChannel.DIAL_IN,
        OrderStatus.TARGET_ANSWERED,
        "+48111222333",
    )
    record = CallRecord.objects.for_customer(authorized.customer).get(call_id=order.call_id)
    legs = list(record.legs.order_by("index"))
    assert [(leg.kind, leg.billable) for leg in legs] == [(LegKind.INBOUND, False), (LegKind.CALLBACK_TARGET, True)]
    assert legs[1].source == "+48221234567"
    assert Recording.objects.filter(call_id=order.call_id).exists()


@with_db
def test_unknown_caller_leaves_no_trace(authorized):
    result = dial_in(caller="+48500100200", entries=["1234#", "111222333#"])
    assert result.ivr.outcome == IvrOutcome.HANG_UP_UNKNOWN
    assert not CallbackOrder.objects.exists() and not CallRecord.objects.exists()


@with_db
def test_wrong_pins_count_towards_the_lockout(authorized):
    dial_in(caller="+48888777666", entries=["1#", "2#", "3#"])
    dial_in(caller="+48888777666", entries=["1#", "2#", "3#"])
    authorized.refresh_from_db()
    assert authorized.locked_until is not None
    result = dial_in(caller="+48888777666", entries=["1234#", "111222333#"])
    assert result.refusal == OrderReason.LOCKED
    assert not CallRecord.objects.exists()


@with_db
def test_forbidden_target_is_refused(authorized):
    result = dial_in(caller="+48888777666", entries=["1234#", "*81312345678#"])
    assert result.refusal == OrderReason.RATE_TOO_HIGH
    assert not CallRecord.objects.exists()


@with_db
def test_malformed_target_is_refused(customer, presentation):
    factories.authorized_number(customer, description="B", number="+48601555444", presentation=presentation)
    result = dial_in(caller="+48601555444", entries=["12345#"])
    assert result.refusal == OrderReason.MALFORMED
