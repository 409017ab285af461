"""Starting to monitor a live call: the command the PBX gets, what is refused, and the leg billing sees."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.models import CallRecord, LedgerEntry
from billing.rating_service import call_records_rate
from panel.refusal import Refused
from pbx.models import LiveCall, MonitorSession
from pbx.services.monitoring import live_calls_prune, monitor_start
from pbx.tests import factories
from pbx.tests.monitoring_support import live_call, monitoring_on
from simulator.live import end_call, start_call

pytestmark = pytest.mark.django_db
SUPERVISOR_MOBILE = "+48501000001"


@pytest.fixture
def phones(customer):
    """The customer's agent (11), a supervisor's desk phone (12) and a supervisor's mobile."""
    factories.sip_account(customer, extension="11", name="Agent Anna")
    factories.sip_account(customer, extension="12", name="Kierownik")
    factories.external_number(customer, number=SUPERVISOR_MOBILE, description="Kierownik, komórka")


@pytest.fixture
def call(customer, phones) -> LiveCall:
    monitoring_on(customer)
    return LiveCall.objects.for_customer(customer).get(call_id=live_call(customer, extension="11"))


def start(customer, call, **kwargs):
    return monitor_start(customer=customer, live_call=call, **{"mode": "listen", **kwargs})


def test_listening_on_an_extension_sends_the_call_and_the_phone_to_the_pbx(customer, call, commands, user):
    session = start(customer, call, target_kind="extension", target="12", user=user)
    assert commands.sent == [
        {
            "customer": customer,
            "call_id": call.call_id,
            "mode": "listen",
            "target": "12",
            "target_kind": "extension",
            "monitor_id": f"monitor-{session.pk}",
        }
    ]
    session.refresh_from_db()
    assert (session.status, session.agent_extension, session.requested_by) == ("active", "11", user)


def test_whispering_from_a_mobile_sends_its_number_in_e164(customer, call, commands):
    start(customer, call, mode="whisper", target_kind="external", target="501 000 001")
    assert [(sent["mode"], sent["target_kind"], sent["target"]) for sent in commands.sent] == [
        ("whisper", "external", SUPERVISOR_MOBILE)
    ]


def refused(customer, call, **kwargs) -> Refused:
    with pytest.raises(Refused) as error:
        start(customer, call, **kwargs)
    return error.value


def test_without_the_service_nothing_is_sent(customer, phones, commands):
    call = LiveCall.objects.for_customer(customer).get(call_id=live_call(customer))
    error = refused(customer, call, target_kind="extension", target="12")
    assert error.code == Refused.SERVICE_OFF
    assert "Usługi / Oferta" in error.message
    assert not commands.sent and not MonitorSession.objects.exists()


def test_whisper_needs_an_agent_on_the_call(customer, phones, commands):
    monitoring_on(customer)
    call = LiveCall.objects.for_customer(customer).get(call_id=live_call(customer, extension=""))
    error = refused(customer, call, mode="whisper", target_kind="extension", target="12")
    assert (error.code, error.field) == (Refused.INVALID, "mode")
    start(customer, call, target_kind="extension", target="12")  # listening is fine
    assert [sent["mode"] for sent in commands.sent] == ["listen"]


@pytest.mark.parametrize(
    ("target_kind", "target"),
    [
        ("extension", "77"),  # the other customer's extension
        ("external", "+48600999888"),  # the other customer's external number
        ("extension", "11"),  # the agent on the call
        ("external", "+48600111222"),  # a number not on the list
        ("browser", ""),  # needs a WebRTC phone
    ],
)
def test_only_the_customers_own_other_phones_may_listen(customer, other_customer, call, commands, target_kind, target):
    factories.sip_account(other_customer, extension="77")
    factories.external_number(other_customer, number="+48600999888")
    error = refused(customer, call, target_kind=target_kind, target=target)
    assert error.code == Refused.INVALID
    assert not commands.sent and not MonitorSession.objects.exists()


def test_a_call_that_has_ended_cannot_be_monitored(customer, call, commands):
    end_call(customer=customer, call_id=call.call_id)
    assert refused(customer, call, target_kind="extension", target="12").code == Refused.CONFLICT
    assert not commands.sent


def test_another_customers_call_is_refused_like_an_ended_one(customer, other_customer, call, commands):
    monitoring_on(other_customer)
    factories.sip_account(other_customer, extension="12")
    assert refused(other_customer, call, target_kind="extension", target="12").code == Refused.CONFLICT
    assert not commands.sent


def test_the_same_phone_cannot_monitor_the_same_call_twice(customer, call, commands):
    start(customer, call, target_kind="extension", target="12")
    assert refused(customer, call, target_kind="extension", target="12").field == "target"
    assert len(commands.sent) == 1


def test_an_unreachable_pbx_leaves_a_failed_monitoring_with_the_reason(customer, call, commands):
    commands.fail = True
    session = start(customer, call, target_kind="extension", target="12")
    assert session.status == "failed"
    assert "PBX" in session.detail or "centrala" in session.detail.lower()


def test_the_end_of_the_call_ends_its_monitoring(customer, call, commands):
    session = start(customer, call, target_kind="extension", target="12")
    end_call(customer=customer, call_id=call.call_id)
    session.refresh_from_db()
    assert session.status == "ended" and session.ended_at is not None


def test_the_simulator_puts_a_billable_monitor_leg_into_the_call_record_and_billing_charges_it(customer, call):
    session = start(customer, call, target_kind="external", target=SUPERVISOR_MOBILE)  # the default: the simulator
    assert session.status == "active"
    assert session.leg_answered_at == session.leg_started_at + timedelta(seconds=2)
    record = end_call(customer=customer, call_id=call.call_id, at=session.leg_answered_at + timedelta(seconds=60))

    legs = list(record.legs.order_by("index").values_list("kind", "source", "destination", "billable"))
    assert legs == [
        ("inbound", "+48601100200", "+48221234567", False),
        ("internal", "+48221234567", "11", False),
        ("monitor", "+48221234567", SUPERVISOR_MOBILE, True),
    ]
    call_records_rate(customer=customer)
    record.refresh_from_db()
    assert record.cost_net == Decimal("0.11")  # one minute to a Polish mobile, rated as a normal call
    assert LedgerEntry.objects.for_customer(customer).filter(call=record, amount_net=Decimal("-0.11")).exists()


def test_listening_on_an_extension_is_a_free_internal_leg(customer, call):
    session = start(customer, call, target_kind="extension", target="12")
    record = end_call(customer=customer, call_id=call.call_id, at=session.leg_answered_at + timedelta(seconds=60))
    monitor_leg = record.legs.order_by("index").last()
    assert (monitor_leg.kind, monitor_leg.destination, monitor_leg.billable) == ("internal", "12", False)
    call_records_rate(customer=customer)
    record.refresh_from_db()
    assert record.cost_net == Decimal("0.00")


def test_a_supervisor_who_does_not_answer_costs_nothing(customer, call, settings):
    settings.PBX_SIMULATOR_UNANSWERED = [SUPERVISOR_MOBILE]
    session = start(customer, call, target_kind="external", target=SUPERVISOR_MOBILE)
    assert session.status == "not_answered"
    record = end_call(customer=customer, call_id=call.call_id, at=timezone.now() + timedelta(seconds=60))
    monitor_leg = record.legs.get(kind="monitor")
    assert monitor_leg.answered_at is None
    call_records_rate(customer=customer)
    record.refresh_from_db()
    assert record.cost_net == Decimal("0.00")


def test_calls_whose_end_never_came_are_closed_and_old_ones_forgotten(customer, call, commands):
    session = start(customer, call, target_kind="extension", target="12")
    now = timezone.now()
    old = start_call(customer=customer, caller="+48601100300", callee="+48221234567", at=now - timedelta(days=8))
    end_call(customer=customer, call_id=old, at=now - timedelta(days=8))

    assert live_calls_prune(now=now + timedelta(hours=1)) == (0, 1)
    assert not LiveCall.objects.filter(call_id=old).exists()
    assert live_calls_prune(now=now + timedelta(hours=5)) == (1, 0)
    session.refresh_from_db()
    assert session.status == "ended"
    assert CallRecord.objects.filter(call_id=old).exists()  # billing keeps its record
