"""Calls in real time for the live views: the simulator plays a PBX that reports calls while they go on.

    call_id = start_call(customer=c, caller="+48601222333", callee="+48221234567", direction="in", extension="11")
    answer_call(customer=c, call_id=call_id)
    end_call(customer=c, call_id=call_id)

Each step sends a call event through `pbx.live_events.call_event_ingest`, the entry point a real PBX's events
reach through /api/v1/call-events/. `end_call` then sends what a PBX sends when a call is over: its call
record (through `billing.ingestion.call_record_ingest`), with the legs of the call and one leg per monitoring
of it (kind "monitor", billed, to an external number; "internal", free, to an extension), so billing sees
what listening cost. The monitoring legs are the ones `SimulatorCommands.monitor` rang.

`plan_call` draws a plausible call of a customer (plain Python, from a seeded RNG); the management command
`simulate_live_calls` keeps a few such calls going for the monitoring page.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from billing.models import CallRecord
from panel.models import Customer
from pbx.commands import call_record_leg, iso_time
from pbx.live_events import call_event_ingest
from pbx.models import LiveCall, MonitorSession
from pbx.models.live import CallEventKind, MonitorTargetKind
from simulator import numbers

MAX_LEGS = 20  # what a call record may carry (billing.serializers.MAX_LEGS)
WITHHELD = "anonymous"


def _event(customer: Customer, call_id: str, kind: str, at: datetime | None, **fields) -> LiveCall:
    at = at or timezone.now()
    payload = {"event_id": f"{call_id}-{kind}", "call_id": call_id, "kind": kind, "at": at.isoformat(), **fields}
    return call_event_ingest(customer=customer, payload=payload).live_call


def start_call(
    *,
    customer: Customer,
    caller: str,
    callee: str,
    direction: str = "in",
    extension: str = "",
    queue: str = "",
    at: datetime | None = None,
    call_id: str | None = None,
) -> str:
    """A call starts ringing (the "started" event); returns its call id."""
    call_id = call_id or f"live-{uuid.uuid4().hex[:24]}"
    _event(
        customer,
        call_id,
        CallEventKind.STARTED,
        at,
        direction=direction,
        caller=caller or WITHHELD,
        callee=callee,
        extension=extension,
        queue=queue,
    )
    return call_id


def answer_call(*, customer: Customer, call_id: str, extension: str = "", at: datetime | None = None) -> LiveCall:
    """Someone picks up (the "answered" event); `extension` names the agent when it is not the one rung first."""
    return _event(customer, call_id, CallEventKind.ANSWERED, at, extension=extension)


def end_call(*, customer: Customer, call_id: str, at: datetime | None = None) -> CallRecord:
    """The call ends: the "ended" event, then its call record with the monitoring legs."""
    from billing.ingestion import call_record_ingest

    call = _event(customer, call_id, CallEventKind.ENDED, at)
    record, _created = call_record_ingest(customer=customer, payload=call_record_of(call))
    return record


def call_record_of(call: LiveCall) -> dict:
    """The call record a PBX sends for an ended call: its own legs, then one leg per monitoring of it."""
    end = max(call.ended_at or call.last_event_at, call.started_at)
    start = call.started_at
    answer = min(call.answered_at, end) if call.answered_at else None
    caller, callee = call.caller or WITHHELD, call.callee or WITHHELD
    direction = call.direction or "in"
    if direction == "in":
        legs = [call_record_leg("inbound", caller, callee, start, answer, end)]
        if call.extension:
            legs.append(call_record_leg("internal", callee, call.extension, start, answer, end))
    elif direction == "out":
        legs = [call_record_leg("outbound", call.extension or caller, callee, start, answer, end)]
    else:
        legs = [call_record_leg("internal", caller, callee, start, answer, end)]
    sessions = MonitorSession.objects.for_customer(call.customer).filter(live_call=call, leg_started_at__isnull=False)
    for session in sessions.order_by("pk")[: MAX_LEGS - len(legs)]:
        legs.append(_monitor_leg(call, session, end))
    return {
        "call_id": call.call_id,
        "start": iso_time(start),
        "answer": iso_time(answer),
        "end": iso_time(end),
        "direction": direction,
        "caller": caller,
        "callee": callee,
        "extension": call.extension,
        "queue": call.queue_number,
        "disposition": "answered" if answer else "no_answer",
        "legs": legs,
    }


def _monitor_leg(call: LiveCall, session: MonitorSession, end: datetime) -> dict:
    """The supervisor's leg: from when the PBX rang the phone until the monitored call ended."""
    start = min(max(session.leg_started_at, call.started_at), end)
    answered = session.leg_answered_at
    answer = answered if answered is not None and start <= answered <= end else None
    kind = "monitor" if session.target_kind == MonitorTargetKind.EXTERNAL else "internal"
    return call_record_leg(kind, call.customer_number or call.caller or WITHHELD, session.target, start, answer, end)


@dataclass(frozen=True)
class PlannedLiveCall:
    direction: str
    caller: str
    callee: str
    extension: str
    queue: str
    ring_seconds: int
    talk_seconds: int


def plan_call(
    rng: random.Random,
    *,
    phone_numbers: list[str],
    extensions: list[str],
    queues: list[str],
    seconds: int,
) -> PlannedLiveCall:
    """A plausible call of the customer: mostly incoming to one of its numbers and answered by an extension
    (some through a queue, some with nobody of the customer on the line yet), some between two extensions.
    It talks for half to all of `seconds`."""
    ring, talk = rng.randint(2, 6), rng.randint(max(1, seconds // 2), max(1, seconds))
    if len(extensions) >= 2 and rng.random() < 0.15:
        caller, callee = rng.sample(extensions, 2)
        return PlannedLiveCall("local", caller, callee, callee, "", ring, talk)
    callee = rng.choice(phone_numbers) if phone_numbers else "+48221234567"
    caller = numbers.caller_number(rng) or WITHHELD
    queue = rng.choice(queues) if queues and rng.random() < 0.3 else ""
    extension = rng.choice(extensions) if extensions and rng.random() < 0.85 else ""
    return PlannedLiveCall("in", caller, callee, extension, queue, ring, talk)
