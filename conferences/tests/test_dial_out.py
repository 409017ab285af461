"""“Add participant”: a call placed now or by a scheduled job, through a real Redis and a real RQ worker."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rq import SimpleWorker
from rq.registry import ScheduledJobRegistry

from billing.models import CallRecord
from conferences import selectors, services
from conferences.choices import DialOutStatus, EventKind
from conferences.models import ConferenceEvent, DialOut
from conferences.tests import factories
from simulator.conferences import hang_up

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def room(customer):
    return factories.room(factories.premium(customer))


def work(rq):
    queue = rq.get_queue("high")
    SimpleWorker([queue], connection=queue.connection).work(burst=True, with_scheduler=True)
    return queue


def test_a_number_called_now_joins_the_room_and_its_call_is_billed_when_it_hangs_up(rq, customer, room):
    dial_out = services.dial_out_request(customer=customer, room=room, number="+48601222333")
    work(rq)

    dial_out.refresh_from_db()
    assert dial_out.status == DialOutStatus.PLACED and dial_out.call_id
    participants = list(selectors.live_participants(customer=customer, room=room))
    assert [(p.number, p.via) for p in participants] == [("+48601222333", "dial_out")]

    # The simulator hangs up after the talk time by a scheduled job; run its body now.
    scheduled = ScheduledJobRegistry(queue=rq.get_queue("high"))
    assert f"conference-hangup-{dial_out.call_id}" in scheduled.get_job_ids()
    job = rq.get_queue("high").fetch_job(f"conference-hangup-{dial_out.call_id}")
    hang_up(customer=customer, call=job.args[1])
    assert selectors.live_count(customer=customer, room=room) == 0
    record = CallRecord.objects.get(call_id=dial_out.call_id)
    assert [leg.kind for leg in record.legs.all()] == ["outbound"]  # billed by the tariff


def test_a_number_that_does_not_answer_is_reported(rq, customer, room, settings):
    settings.PBX_SIMULATOR_UNANSWERED = ["+48601999999"]
    dial_out = services.dial_out_request(customer=customer, room=room, number="+48601999999")
    work(rq)
    dial_out.refresh_from_db()
    assert dial_out.status == DialOutStatus.NO_ANSWER
    assert selectors.live_count(customer=customer, room=room) == 0
    assert ConferenceEvent.objects.get(kind=EventKind.REFUSED).reason == "no_answer"


def test_a_full_room_refuses_the_called_participant(rq, customer, room):
    for index in range(15):
        services.conference_event_ingest(
            customer=customer,
            payload={
                "event_id": f"j{index}",
                "room": room.number,
                "kind": "join",
                "channel": f"c{index}",
                "number": f"+486010000{index:02d}",
                "at": timezone.now(),
            },
        )
    dial_out = services.dial_out_request(customer=customer, room=room, number="+48601222333")
    work(rq)
    dial_out.refresh_from_db()
    assert dial_out.status == DialOutStatus.REFUSED
    assert selectors.live_count(customer=customer, room=room) == 15


def test_a_planned_call_is_placed_at_its_time_and_not_before(rq, customer, room):
    at = timezone.now() + timedelta(seconds=2)
    dial_out = services.dial_out_request(customer=customer, room=room, number="+48601222333", at=at)

    work(rq)  # too early: the scheduler keeps it
    dial_out.refresh_from_db()
    assert dial_out.status == DialOutStatus.SCHEDULED
    assert selectors.live_count(customer=customer, room=room) == 0

    time.sleep(max(0.0, (at - timezone.now()).total_seconds()) + 1.2)
    work(rq)
    dial_out.refresh_from_db()
    assert dial_out.status == DialOutStatus.PLACED
    assert selectors.live_count(customer=customer, room=room) == 1


def test_a_time_in_the_past_is_refused(rq, customer, room):
    with pytest.raises(ValidationError):
        services.dial_out_request(
            customer=customer, room=room, number="+48601222333", at=timezone.now() - timedelta(minutes=1)
        )
    assert not DialOut.objects.exists()


def test_deleting_the_room_cancels_its_planned_calls(rq, customer, room):
    at = timezone.now() + timedelta(seconds=2)
    dial_out = services.dial_out_request(customer=customer, room=room, number="+48601222333", at=at)
    scheduled = ScheduledJobRegistry(queue=rq.get_queue("high"))
    assert dial_out.job_id in scheduled.get_job_ids()

    services.room_delete(customer=customer, room=room)
    dial_out.refresh_from_db()
    assert dial_out.status == DialOutStatus.CANCELLED
    assert dial_out.job_id not in scheduled.get_job_ids()

    time.sleep(max(0.0, (at - timezone.now()).total_seconds()) + 1.2)
    work(rq)
    dial_out.refresh_from_db()
    assert dial_out.status == DialOutStatus.CANCELLED
    assert not CallRecord.objects.exists()


def test_a_cancelled_call_is_never_placed_even_if_its_job_runs(rq, customer, room):
    dial_out = services.dial_out_request(
        customer=customer, room=room, number="+48601222333", at=timezone.now() + timedelta(hours=1)
    )
    services.dial_out_cancel(customer=customer, dial_out=dial_out)
    services.dial_out_place(customer=customer, dial_out_id=dial_out.pk)
    dial_out.refresh_from_db()
    assert dial_out.status == DialOutStatus.CANCELLED
    assert selectors.live_count(customer=customer, room=room) == 0


def test_placing_twice_calls_once(rq, customer, room):
    dial_out = services.dial_out_request(customer=customer, room=room, number="+48601222333")
    work(rq)
    services.dial_out_place(customer=customer, dial_out_id=dial_out.pk)
    assert selectors.live_count(customer=customer, room=room) == 1
    assert DialOut.objects.get().status == DialOutStatus.PLACED


def test_another_customer_cannot_call_into_the_room(rq, customer, other_customer, room):
    with pytest.raises(Exception):  # noqa: B017 - the room is not found for them
        services.dial_out_request(customer=other_customer, room=room, number="+48601222333")
    assert not DialOut.objects.exists()
