"""The simulator's side of teleconferences: callers dial in, are called in, and hang up.

There is no conference bridge behind the panel; this module plays its part.
It decides what happens with the routing engine (the PIN with three tries,
the full room) and reports it through the same entry points a real PBX uses:
conference events (`conferences.services.conference_event_ingest`) and call
records (`billing.ingestion.call_record_ingest`).

Event schema (also accepted at POST /api/v1/conference-events/):
    {"event_id": "…unique per customer…", "room": "*7556", "kind": "join" | "leave" | "end" | "refused",
     "at": "2026-11-22T10:00:00+01:00", "channel": "…the caller's leg…", "number": "+48601222333",
     "via": "dial_in" | "dial_out", "reason": "full" | "pin" | "no_answer"}
"""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from billing.ingestion import call_record_ingest
from conferences import selectors
from conferences.choices import EventKind, JoinedVia, RefusalReason
from conferences.models import ConferenceRoom
from conferences.services import conference_event_ingest
from panel.jobqueue import enqueue_at
from panel.models import Customer
from pbx.commands import OriginateResult
from pbx.models import SipAccount
from pbx.routing.answers import ScriptedAnswers
from pbx.routing.engine import route
from pbx.routing.model import DialledCall, IncomingCall
from pbx.selectors.routing import load_config

RING_SECONDS = 5
REFUSAL_SECONDS = 6  # the "room is full" announcement


@dataclass(frozen=True)
class SimulatedJoin:
    joined: bool
    channel: str
    reason: str = ""  # a RefusalReason when not joined
    steps: tuple[str, ...] = ()  # the routing engine's step codes, for tests and the command line


def _event(customer: Customer, room: ConferenceRoom, kind: str, at: datetime, **fields) -> None:
    event_id = fields.pop("event_id", None) or f"sim-{uuid.uuid4().hex}"
    conference_event_ingest(
        customer=customer, payload={"event_id": event_id, "room": room.number, "kind": kind, "at": at, **fields}
    )


def _route(customer: Customer, room: ConferenceRoom, caller: str, pins: Sequence[str], at: datetime):
    config = load_config(customer=customer)
    answers = {}
    for attempt, pin in enumerate(pins[:3], start=1):
        key = f"pin.conference.{room.pk}" + (f".{attempt}" if attempt > 1 else "")
        answers[key] = "correct" if pin == room.pin else "wrong"
    if len(pins) < 3 and pins and pins[-1] != room.pin:  # the caller gives up: the remaining tries are wrong too
        for attempt in range(len(pins) + 1, 4):
            answers[f"pin.conference.{room.pk}.{attempt}"] = "wrong"
    if SipAccount.objects.for_customer(customer).filter(extension=caller).exists():
        call = DialledCall(at=at, extension=caller, dialled=room.number)
    else:
        did = room.phone_numbers.first()
        if did is None:
            raise ValueError(f"Room {room.number} has no public number to dial in from outside.")
        call = IncomingCall(at=at, caller=caller, did=did.number)
    return route(config, call, ScriptedAnswers(answers))


def simulate_dial_in(
    *, customer: Customer, room: ConferenceRoom, caller: str, pins: Sequence[str] | None = None
) -> SimulatedJoin:
    """A caller dials the room (by its public number, or its *NN from one of the customer's extensions) and
    enters `pins` one after another (default: the right PIN at once)."""
    now = timezone.now()
    result = _route(customer, room, caller, list(pins) if pins is not None else [room.pin], now)
    codes = tuple(step.code for step in result.steps)
    channel = f"sim-in-{uuid.uuid4().hex[:16]}"
    if result.outcome == "answered" and codes[-1] == "answered.conference":
        _event(customer, room, EventKind.JOIN, now, channel=channel, number=caller, via=JoinedVia.DIAL_IN)
        return SimulatedJoin(True, channel, steps=codes)
    reason = RefusalReason.FULL if codes and codes[-1] == "conference.full" else RefusalReason.PIN
    _event(customer, room, EventKind.REFUSED, now, channel=channel, number=caller, reason=reason)
    return SimulatedJoin(False, channel, reason, codes)


def simulate_leave(*, customer: Customer, room: ConferenceRoom, channel: str) -> None:
    _event(customer, room, EventKind.LEAVE, timezone.now(), channel=channel, event_id=f"sim-leave-{channel}")


def simulate_end(*, customer: Customer, room: ConferenceRoom) -> None:
    _event(customer, room, EventKind.END, timezone.now())


def talk_seconds(call_id: str) -> int:
    return 60 + zlib.crc32(call_id.encode()) % 240


def simulate_dial_out(
    *, customer: Customer, room_number: str, number: str, caller_id: str, call_id: str, answered: bool
):
    """The PBX calls `number` for the room (pbx.commands.originate with purpose "conference").

    Answered: the join event now, and a job that hangs up after the talk time (leave event and call record).
    Not answered, or the room full: a refused event and the call record at once.
    """
    room = selectors.room_by_number(customer=customer, number=room_number)
    if room is None:
        raise ValueError(f"No room {room_number}.")
    start = timezone.now().replace(microsecond=0)
    call = {"room": room.number, "channel": call_id, "number": number, "caller_id": caller_id, "call_id": call_id}
    call["start"] = start.isoformat()
    if not answered:
        _event(customer, room, EventKind.REFUSED, start, channel=call_id, number=number, reason="no_answer")
        call["end"] = (start + timedelta(seconds=30)).isoformat()
        _call_record(customer, call)
        return OriginateResult(call_id, True, False)
    answer = start + timedelta(seconds=RING_SECONDS)
    call["answer"] = answer.isoformat()
    if selectors.live_count(customer=customer, room=room) >= room.max_participants:
        _event(customer, room, EventKind.REFUSED, answer, channel=call_id, number=number, reason="full")
        call["end"] = (answer + timedelta(seconds=REFUSAL_SECONDS)).isoformat()
        _call_record(customer, call)
        return OriginateResult(call_id, True, True, REFUSAL_SECONDS)
    _event(
        customer,
        room,
        EventKind.JOIN,
        answer,
        channel=call_id,
        number=number,
        via=JoinedVia.DIAL_OUT,
        event_id=f"{call_id}-join",
    )
    seconds = talk_seconds(call_id)
    _schedule_hang_up(customer, call, answer + timedelta(seconds=seconds))
    return OriginateResult(call_id, True, True, seconds)


def _schedule_hang_up(customer: Customer, call: dict, when: datetime) -> None:
    from simulator import jobs  # the job module imports this one

    enqueue_at(when, jobs.simulated_hang_up, customer.pk, call, job_id=f"conference-hangup-{call['call_id']}")


def hang_up(*, customer: Customer, call: dict) -> str:
    """The dialled-out participant hangs up: the leave event and the call record (both idempotent)."""
    room = selectors.room_by_number(customer=customer, number=call["room"])
    now = timezone.now().replace(microsecond=0)
    if room is not None:
        _event(customer, room, EventKind.LEAVE, now, channel=call["channel"], event_id=f"{call['call_id']}-leave")
    _call_record(customer, {**call, "end": max(now, datetime.fromisoformat(call["answer"])).isoformat()})
    return "hung up"


def _call_record(customer: Customer, call: dict) -> None:
    """The call to the participant as a call record: billed by the tariff unless it went to an extension."""
    internal = SipAccount.objects.for_customer(customer).filter(extension=call["number"]).exists()
    answer = call.get("answer")
    call_record_ingest(
        customer=customer,
        payload={
            "call_id": call["call_id"],
            "start": call["start"],
            "answer": answer,
            "end": call["end"],
            "direction": "local" if internal else "out",
            "caller": call["caller_id"],
            "callee": call["number"],
            "disposition": "answered" if answer else "no_answer",
            "legs": [
                {
                    "kind": "internal" if internal else "outbound",
                    "from": call["caller_id"],
                    "to": call["number"],
                    "start": call["start"],
                    "answer": answer,
                    "end": call["end"],
                }
            ],
        },
    )
