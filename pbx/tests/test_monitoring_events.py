"""Call events: a call's state from started to ended, late and repeated events, the schema, the tenancy."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from pbx.live_events import call_event_ingest
from pbx.models import CallEvent, LiveCall
from pbx.selectors.monitoring import live_call_list

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def event(kind, *, call_id="pbx-1", at=T0, event_id=None, **fields):
    payload = {"event_id": event_id or f"{call_id}-{kind}", "call_id": call_id, "kind": kind, "at": at.isoformat()}
    if kind == "started":
        payload |= {"direction": "in", "caller": "+48601100200", "callee": "+48221234567"}
    return payload | fields


def test_a_call_rings_is_answered_and_ends(customer):
    started = call_event_ingest(customer=customer, payload=event("started", extension="11", queue="100"))
    assert started.created
    call = started.live_call
    assert (call.state, call.direction, call.caller, call.callee, call.extension, call.queue_number) == (
        "ringing", "in", "+48601100200", "+48221234567", "11", "100",
    )  # fmt: skip
    answered = call_event_ingest(customer=customer, payload=event("answered", at=T0 + timedelta(seconds=5)))
    assert (answered.live_call.state, answered.live_call.answered_at) == ("answered", T0 + timedelta(seconds=5))
    ended = call_event_ingest(customer=customer, payload=event("ended", at=T0 + timedelta(seconds=65)))
    assert (ended.live_call.state, ended.live_call.ended_at) == ("ended", T0 + timedelta(seconds=65))
    assert LiveCall.objects.count() == 1


def test_the_agent_who_answers_a_queue_call_becomes_its_extension(customer):
    call_event_ingest(customer=customer, payload=event("started", extension="11", queue="100"))
    call = call_event_ingest(customer=customer, payload=event("answered", extension="12")).live_call
    assert call.extension == "12"


def test_a_repeated_event_changes_nothing(customer):
    call_event_ingest(customer=customer, payload=event("started"))
    call_event_ingest(customer=customer, payload=event("ended", at=T0 + timedelta(seconds=30)))
    again = call_event_ingest(customer=customer, payload=event("started"))
    assert not again.created
    assert again.live_call.state == "ended"
    assert CallEvent.objects.count() == 2


def test_late_events_never_bring_an_ended_call_back(customer):
    call_event_ingest(customer=customer, payload=event("ended", at=T0 + timedelta(seconds=60)))
    call_event_ingest(customer=customer, payload=event("answered", at=T0 + timedelta(seconds=5)))
    call = call_event_ingest(customer=customer, payload=event("started", at=T0)).live_call
    assert call.state == "ended"
    assert (call.started_at, call.answered_at, call.ended_at) == (
        T0,
        T0 + timedelta(seconds=5),
        T0 + timedelta(seconds=60),
    )
    assert call.caller == "+48601100200"  # the started event still fills in who called


def test_only_calls_going_on_are_listed_and_a_lost_end_does_not_linger(customer):
    now = timezone.now()
    for call_id, at in (("fresh", now - timedelta(minutes=5)), ("lost", now - timedelta(hours=4, minutes=1))):
        call_event_ingest(customer=customer, payload=event("started", call_id=call_id, at=at))
    call_event_ingest(customer=customer, payload=event("started", call_id="over", at=now))
    call_event_ingest(customer=customer, payload=event("ended", call_id="over", at=now))
    assert [call.call_id for call in live_call_list(customer=customer, now=now)] == ["fresh"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "ringing"}, "kind"),
        ({"at": "2026-03-10T09:00:00"}, "at"),
        ({"call_id": "a/b"}, "call_id"),
        ({"event_id": ""}, "event_id"),
        ({"extension": "1"}, "extension"),
        ({"direction": "sideways"}, "direction"),
        ({"caller": ""}, "caller"),
    ],
)
def test_an_event_that_breaks_the_schema_is_refused_with_the_field_and_changes_nothing(customer, change, field):
    with pytest.raises(ValidationError) as refused:
        call_event_ingest(customer=customer, payload=event("started") | change)
    assert field in refused.value.detail
    assert not LiveCall.objects.exists() and not CallEvent.objects.exists()


def test_the_same_call_id_of_two_customers_is_two_calls(customer, other_customer):
    call_event_ingest(customer=customer, payload=event("started"))
    call_event_ingest(customer=other_customer, payload=event("started"))
    other_end = call_event_ingest(customer=other_customer, payload=event("ended", at=T0 + timedelta(seconds=9)))
    assert other_end.created
    mine = LiveCall.objects.for_customer(customer).get()
    assert mine.state == "ringing"
    assert LiveCall.objects.for_customer(other_customer).get().state == "ended"
