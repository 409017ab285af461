from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from billing.choices import LegKind
from billing.models import CallRecord
from callback import services
from callback.choices import OrderReason, OrderStatus
from callback.models import AuthorizedNumber, CallbackOrder
from callback.services import InboundOutcome, inbound_sms
from callback.tests import factories
from pbx.models import OutgoingSms
from pbx.models.sms import SmsPurpose
from pbx.tests import factories as pbx_factories
from recordings.models import Recording

pytestmark = pytest.mark.django_db


def replies_to(number):
    return list(OutgoingSms.objects.filter(to=number).order_by("id").values_list("text", flat=True))


# ---- authorizing ----


def test_a_number_authorized_by_one_customer_is_refused_to_another_without_naming_it(authorized, other_customer):
    other_presentation = pbx_factories.phone_number(other_customer, number="+48229998877")
    with pytest.raises(ValidationError) as refusal:
        services.authorized_number_create(
            customer=other_customer, description="X", number="+48888777666", presentation=other_presentation
        )
    text = " ".join(refusal.value.message_dict["number"])
    assert "już upoważniony" in text
    assert authorized.customer.name not in text and authorized.customer.prefix not in text
    assert AuthorizedNumber.objects.filter(number="+48888777666").count() == 1


def test_the_same_customer_cannot_authorize_a_number_twice(authorized, customer, presentation):
    with pytest.raises(ValidationError):
        services.authorized_number_create(
            customer=customer, description="Again", number="+48888777666", presentation=presentation
        )


def test_instructions_sms_goes_to_the_new_number_without_the_pin(customer, presentation):
    authorized = services.authorized_number_create(
        customer=customer,
        description="Anna",
        number="+48601222333",
        presentation=presentation,
        pin="987654",
        send_instructions=True,
    )
    sms = OutgoingSms.objects.get(to=authorized.number)
    assert sms.purpose == SmsPurpose.CALLBACK
    assert "799 366 599" in sms.text
    assert "987654" not in sms.text


# ---- ordering by SMS ----


def test_unknown_sender_is_ignored_without_a_reply(authorized):
    result = inbound_sms(sender="+48500100200", text="1234 111222333")
    assert result.outcome == InboundOutcome.IGNORED
    assert not OutgoingSms.objects.exists()
    assert not CallbackOrder.objects.exists()


def test_the_sender_identifies_the_customer_across_customers(authorized, other_customer):
    factories.authorized_number(other_customer, description="Obcy", number="+48601000111")
    result = inbound_sms(sender="601 000 111", text="111222333")
    assert result.outcome == InboundOutcome.ACCEPTED
    assert result.order.customer == other_customer
    assert result.order.authorized_number.description == "Obcy"


@pytest.mark.parametrize(
    ("text", "reason", "words"),
    [
        ("9999 111222333", OrderReason.WRONG_PIN, "błędny PIN"),
        ("1234", OrderReason.MALFORMED, "nie rozpoznano treści"),
        ("hello", OrderReason.MALFORMED, "nie rozpoznano treści"),
        ("1234 +81 312345678", OrderReason.RATE_TOO_HIGH, "przekracza dozwolone maksimum"),
    ],
)
def test_refusals_are_explained_by_sms_in_polish_without_the_pin(authorized, text, reason, words):
    result = inbound_sms(sender="+48888777666", text=text)
    assert result.outcome == InboundOutcome.REFUSED
    assert result.order.reason == reason
    assert result.order.status == OrderStatus.REFUSED
    [reply] = replies_to("+48888777666")
    assert words in reply
    assert "1234" not in reply and "9999" not in reply
    assert not CallRecord.objects.exists()


def test_reply_texts_are_polish(authorized):
    inbound_sms(sender="+48888777666", text="9999 111222333")
    [reply] = replies_to("+48888777666")
    assert "błędny PIN" in reply


def test_repeated_wrong_pins_lock_the_number_for_15_minutes(authorized, django_capture_on_commit_callbacks):
    now = timezone.now()
    for _ in range(5):
        assert inbound_sms(sender="+48888777666", text="0000 111222333", now=now).order.reason == "wrong_pin"
    authorized.refresh_from_db()
    assert authorized.locked_until == now + timedelta(minutes=15)

    locked = inbound_sms(sender="+48888777666", text="1234 111222333", now=now + timedelta(minutes=5))
    assert locked.order.reason == OrderReason.LOCKED
    assert "zablokowane na 15 minut" in replies_to("+48888777666")[-1]

    with django_capture_on_commit_callbacks(execute=False):
        later = inbound_sms(sender="+48888777666", text="1234 111222333", now=now + timedelta(minutes=16))
    assert later.outcome == InboundOutcome.ACCEPTED


def test_four_wrong_pins_do_not_lock(authorized):
    for _ in range(4):
        inbound_sms(sender="+48888777666", text="0000 111222333")
    authorized.refresh_from_db()
    assert authorized.locked_until is None


def test_rate_limit_of_ten_orders_per_hour(authorized, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        for _ in range(10):
            assert inbound_sms(sender="+48888777666", text="1234 111222333").outcome == InboundOutcome.ACCEPTED
        eleventh = inbound_sms(sender="+48888777666", text="1234 111222333")
    assert eleventh.outcome == InboundOutcome.REFUSED
    assert eleventh.order.reason == OrderReason.RATE_LIMITED
    assert "zbyt wiele zamówień" in replies_to("+48888777666")[-1]
    CallbackOrder.objects.exclude(reason=OrderReason.RATE_LIMITED).update(
        created_at=timezone.now() - timedelta(minutes=61)
    )
    with django_capture_on_commit_callbacks(execute=False):
        assert inbound_sms(sender="+48888777666", text="1234 111222333").outcome == InboundOutcome.ACCEPTED


# ---- the full flow through the PBX command interface (simulator) ----


def test_accepted_order_calls_the_employee_then_the_target_with_both_legs_billable(
    authorized, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = inbound_sms(sender="+48888777666", text="1234 111 222 333")
    order = CallbackOrder.objects.get(pk=result.order.pk)
    assert order.status == OrderStatus.TARGET_ANSWERED
    record = CallRecord.objects.for_customer(authorized.customer).get(call_id=order.call_id)
    legs = list(record.legs.order_by("index"))
    assert [leg.kind for leg in legs] == [LegKind.CALLBACK_EMPLOYEE, LegKind.CALLBACK_TARGET]
    assert [leg.destination for leg in legs] == ["+48888777666", "+48111222333"]
    assert all(leg.billable for leg in legs)
    assert all(leg.source == "+48221234567" for leg in legs)  # the chosen presentation
    assert legs[0].answered_at < legs[1].started_at  # the employee first
    # Biznes includes recording: the call was recorded.
    assert Recording.objects.filter(customer=authorized.customer, call_id=order.call_id).exists()


def test_both_legs_are_rated(authorized, django_capture_on_commit_callbacks):
    from billing.rating_service import call_records_rate

    with django_capture_on_commit_callbacks(execute=True):
        result = inbound_sms(sender="+48888777666", text="1234 111222333")
    call_records_rate(customer=authorized.customer)
    record = CallRecord.objects.get(call_id=CallbackOrder.objects.get(pk=result.order.pk).call_id)
    costs = [leg.cost_net for leg in record.legs.order_by("index")]
    assert all(cost and cost > 0 for cost in costs)
    assert [leg.destination_name for leg in record.legs.order_by("index")] == ["Polska Komórka", "Polska Stacjonarne"]


def test_no_recording_without_the_recording_service(authorized, django_capture_on_commit_callbacks):
    customer = authorized.customer
    customer.package = "mini"
    customer.save(update_fields=["package"])
    with django_capture_on_commit_callbacks(execute=True):
        result = inbound_sms(sender="+48888777666", text="1234 111222333")
    order = CallbackOrder.objects.get(pk=result.order.pk)
    assert CallRecord.objects.filter(call_id=order.call_id).exists()
    assert not Recording.objects.filter(call_id=order.call_id).exists()


def test_employee_not_answering_fails_the_order_with_one_leg(authorized, settings, django_capture_on_commit_callbacks):
    settings.PBX_SIMULATOR_UNANSWERED = ["+48888777666"]
    with django_capture_on_commit_callbacks(execute=True):
        result = inbound_sms(sender="+48888777666", text="1234 111222333")
    order = CallbackOrder.objects.get(pk=result.order.pk)
    assert (order.status, order.reason) == (OrderStatus.FAILED, OrderReason.EMPLOYEE_NO_ANSWER)
    record = CallRecord.objects.get(call_id=order.call_id)
    assert [leg.kind for leg in record.legs.all()] == [LegKind.CALLBACK_EMPLOYEE]


def test_target_not_answering(authorized, settings, django_capture_on_commit_callbacks):
    settings.PBX_SIMULATOR_UNANSWERED = ["+48111222333"]
    with django_capture_on_commit_callbacks(execute=True):
        result = inbound_sms(sender="+48888777666", text="1234 111222333")
    order = CallbackOrder.objects.get(pk=result.order.pk)
    assert (order.status, order.reason) == (OrderStatus.FAILED, OrderReason.TARGET_NO_ANSWER)


def test_an_order_is_placed_once(authorized, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = inbound_sms(sender="+48888777666", text="1234 111222333")
    services.place_call(order_id=result.order.pk)
    assert CallRecord.objects.count() == 1


def test_no_pin_set_accepts_just_the_number(customer, presentation, django_capture_on_commit_callbacks):
    factories.authorized_number(customer, description="B", number="+48601555444", presentation=presentation)
    with django_capture_on_commit_callbacks(execute=False):
        result = inbound_sms(sender="+48601555444", text="111-222-333")
    assert result.outcome == InboundOutcome.ACCEPTED
    assert result.order.target == "+48111222333"
