"""Simulated calls and what a PBX would report about them. Plain Python: a routing config in, plain data out.

`plan_day` draws one day's calls of a customer: incoming calls to its phone
numbers from Polish and foreign callers, outgoing calls from its extensions
to Polish landlines, mobiles and abroad, internal calls between extensions
and to queues, at times weighted by Europe/Warsaw working hours (fewer on
weekends and public holidays). `play` routes one call with the engine,
answering its questions from a seeded RNG, and turns the result into the
events a real PBX sends: the call record (as the ingestion API's JSON), the
talk time a recording lasts, the voicemail message left, the SMS a forward
triggers.

Everything a call needs is drawn from RNGs seeded with (customer, seed, day,
call index), so the same arguments give the same calls, the same answers and
the same ids, whatever else was generated before.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pbx.numbering import InvalidNumber, normalise_external_number
from pbx.routing import (
    DialledCall,
    IncomingCall,
    Question,
    QuestionKind,
    RandomAnswers,
    Reply,
    RouteResult,
    RoutingConfig,
    StepKind,
    route,
)
from simulator import numbers

WARSAW = ZoneInfo("Europe/Warsaw")
INCOMING, OUTGOING, INTERNAL = "incoming", "outgoing", "internal"
DIRECTION = {INCOMING: "in", OUTGOING: "out", INTERNAL: "local"}
WITHHELD = "anonymous"  # what the call record says for a withheld caller
WEEKEND_SHARE = 0.25  # a weekend day or public holiday has this share of a working day's calls
CONTACTS = 80

# Relative call volume per hour of the day (Europe/Warsaw): a Polish office.
WORKDAY_HOURS = (
    0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.3, 1.2, 4, 8, 9, 9, 7, 7, 8, 7, 5, 2, 1, 0.6, 0.4, 0.3, 0.2, 0.1,
)  # fmt: skip
WEEKEND_HOURS = (
    0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 1.5, 2, 2, 2, 1.8, 1.5, 1.2, 1, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1,
)  # fmt: skip
# Internal and outgoing calls are made by people at work.
OFFICE_HOURS = tuple(weight if 7 <= hour < 19 else weight / 20 for hour, weight in enumerate(WORKDAY_HOURS))
WORKING = range(8, 18)  # when people are at their desks

ANSWERS_AT_WORK: Mapping[str, Mapping[str, float]] = {
    QuestionKind.EXTENSION: {Reply.ANSWER: 70, Reply.NO_ANSWER: 17, Reply.BUSY: 9, Reply.UNAVAILABLE: 4},
    QuestionKind.EXTERNAL: {Reply.ANSWER: 75, Reply.NO_ANSWER: 20, Reply.FAILED: 5},
    QuestionKind.CALLED: {Reply.ANSWER: 70, Reply.NO_ANSWER: 15, Reply.BUSY: 10, Reply.FAILED: 5},
    QuestionKind.PIN: {Reply.CORRECT: 95, Reply.WRONG: 5},
}
ANSWERS_OFF_HOURS: Mapping[str, Mapping[str, float]] = {
    **ANSWERS_AT_WORK,
    QuestionKind.EXTENSION: {Reply.ANSWER: 12, Reply.NO_ANSWER: 45, Reply.BUSY: 3, Reply.UNAVAILABLE: 40},
    QuestionKind.EXTERNAL: {Reply.ANSWER: 45, Reply.NO_ANSWER: 45, Reply.FAILED: 10},
}


class SimulatedAnswers(RandomAnswers):
    """The engine's questions answered as people would: mostly picked up at work, rarely at night.

    IVR callers mostly press one of the offered keys; in a queue the first
    agents answer most, and off hours nobody may answer at all.
    """

    def __init__(self, rng: random.Random, *, at_work: bool) -> None:
        super().__init__(rng, ANSWERS_AT_WORK if at_work else ANSWERS_OFF_HOURS)
        self.at_work = at_work

    def answer(self, question: Question) -> str | None:
        if question.kind == QuestionKind.IVR:
            digits = [option for option in question.options if option not in (Reply.INVALID, Reply.TIMEOUT)]
            roll = self.rng.random()
            if digits and roll < 0.88:
                return self.rng.choice(digits)
            return Reply.TIMEOUT if roll < 0.96 else Reply.INVALID
        if question.kind == QuestionKind.QUEUE:
            agents = [option for option in question.options if option != Reply.NOBODY]
            if not agents or self.rng.random() < (0.1 if self.at_work else 0.5):
                return Reply.NOBODY
            return self.rng.choices(agents, [1 / (position + 1) for position in range(len(agents))])[0]
        return super().answer(question)


@dataclass(frozen=True)
class PlannedCall:
    """One call to simulate: its id, kind, start (aware, UTC) and what the engine routes."""

    call_id: str
    kind: str
    start: datetime
    call: IncomingCall | DialledCall
    rng_seed: str


@dataclass(frozen=True)
class RecordingUpload:
    """A recording of an answered call: the call's facts and how long the talk lasted."""

    call_id: str
    start: datetime
    direction: str
    caller: str
    callee: str
    seconds: int


@dataclass(frozen=True)
class VoicemailEvent:
    """A message left in a voicemail box; the message id is the call's id."""

    message_id: str
    extension: str
    caller: str  # "" when withheld
    received_at: datetime
    seconds: int
    notify: bool = False  # e-mail it to the box's address: only for a message left just now, never for history


@dataclass(frozen=True)
class SmsEvent:
    key: str
    sender: str
    to: str
    caller: str  # "" when withheld


@dataclass
class SimulatedCall:
    """A routed call and the events a PBX reports about it."""

    planned: PlannedCall
    result: RouteResult
    record: dict  # the call record, as POST /api/v1/calls/ takes it
    disposition: str
    end: datetime
    talk_seconds: int = 0
    voicemail: VoicemailEvent | None = None
    sms: list[SmsEvent] = field(default_factory=list)

    @property
    def call_id(self) -> str:
        return self.planned.call_id

    @property
    def direction(self) -> str:
        return DIRECTION[self.planned.kind]

    @property
    def recording(self) -> RecordingUpload | None:
        """Answered incoming and outgoing calls are recorded (when the customer's service is on)."""
        if self.disposition != "answered" or self.planned.kind not in (INCOMING, OUTGOING) or self.talk_seconds <= 0:
            return None
        record = self.record
        return RecordingUpload(
            self.call_id, self.planned.start, record["direction"], record["caller"], record["callee"], self.talk_seconds
        )


# --- Planning --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parties:
    """Who can call whom in a customer's configuration (numbers as the engine knows them)."""

    dids: tuple[str, ...]
    did_weights: tuple[float, ...]
    extensions: tuple[str, ...]
    queues: tuple[str, ...]
    externals: tuple[str, ...]  # what an extension dials to reach an external number: short code or number

    @classmethod
    def of(cls, config: RoutingConfig) -> Parties:
        phone_numbers = sorted(config.phone_numbers.values(), key=lambda did: did.number)
        return cls(
            dids=tuple(did.number for did in phone_numbers),
            # A number that leads nowhere still gets the odd call, but few.
            did_weights=tuple(1.0 if did.route_kind != "none" else 0.1 for did in phone_numbers),
            extensions=tuple(sorted(ext.number for ext in config.extensions.values() if ext.active)),
            queues=tuple(sorted(queue.number for queue in config.queues.values())),
            externals=tuple(sorted(ext.short_code or ext.number for ext in config.external_numbers.values())),
        )

    def kinds(self) -> tuple[tuple[str, ...], tuple[float, ...]]:
        """The kinds of call this configuration allows, with their shares."""
        shares = {INCOMING: 0.5 if self.dids else 0, OUTGOING: 0.35 if self.extensions else 0}
        shares[INTERNAL] = 0.15 if len(self.extensions) >= 2 or (self.extensions and self.queues) else 0
        kinds = tuple(kind for kind, share in shares.items() if share)
        return kinds, tuple(shares[kind] for kind in kinds)


def call_id_prefix(prefix: str, seed: int) -> str:
    """What the ids of a customer's simulated calls with this seed begin with."""
    return f"sim-{prefix}-s{seed}-"


def call_id_of(prefix: str, seed: int, day: date, index: int) -> str:
    return f"{call_id_prefix(prefix, seed)}{day:%Y%m%d}-{index:04d}"


def is_quiet_day(day: date, config: RoutingConfig) -> bool:
    return day.weekday() >= 5 or config.public_holiday(day) is not None


def calls_on(day: date, calls_per_day: int, config: RoutingConfig) -> int:
    if calls_per_day <= 0:
        return 0
    return max(1, round(calls_per_day * WEEKEND_SHARE)) if is_quiet_day(day, config) else calls_per_day


def _moment(rng: random.Random, day: date, hours: Sequence[float]) -> datetime:
    hour = rng.choices(range(24), hours)[0]
    local = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=WARSAW)
    return local.astimezone(UTC)


def plan_day(
    config: RoutingConfig, *, prefix: str, seed: int, day: date, calls_per_day: int, parties: Parties | None = None
) -> list[PlannedCall]:
    """The calls of one day (Europe/Warsaw), in the order they start."""
    parties = parties or Parties.of(config)
    kinds, shares = parties.kinds()
    if not kinds:
        return []
    regulars = numbers.contacts(random.Random(f"{prefix}:{seed}:contacts"), CONTACTS)
    quiet = is_quiet_day(day, config)
    planned = []
    for index in range(calls_on(day, calls_per_day, config)):
        rng_seed = f"{prefix}:{seed}:{day.isoformat()}:{index}"
        rng = random.Random(rng_seed)
        kind = rng.choices(kinds, shares)[0]
        if kind == INCOMING:
            start = _moment(rng, day, WEEKEND_HOURS if quiet else WORKDAY_HOURS)
            caller = rng.choice(regulars) if rng.random() < 0.6 else numbers.caller_number(rng)
            did = rng.choices(parties.dids, parties.did_weights)[0]
            call = IncomingCall(did=did, at=start, caller=caller)
        else:
            start = _moment(rng, day, WEEKEND_HOURS if quiet else OFFICE_HOURS)
            extension = rng.choice(parties.extensions)
            call = DialledCall(extension=extension, dialled=_dialled(rng, kind, extension, parties, regulars), at=start)
        planned.append(PlannedCall(call_id_of(prefix, seed, day, index), kind, start, call, rng_seed))
    return sorted(planned, key=lambda item: (item.start, item.call_id))


def _dialled(rng: random.Random, kind: str, extension: str, parties: Parties, regulars: Sequence[str]) -> str:
    if kind == INTERNAL:
        others = [number for number in parties.extensions if number != extension]
        if parties.queues and (not others or rng.random() < 0.15):
            return rng.choice(parties.queues)
        return rng.choice(others)
    roll = rng.random()
    if parties.externals and roll < 0.08:
        return rng.choice(parties.externals)
    if roll < 0.45:
        return _national(rng.choice(regulars))
    return _national(numbers.called_number(rng))


def _national(e164: str) -> str:
    """How people dial: 9 digits in Poland, 00 and the country code abroad."""
    return e164[3:] if e164.startswith("+48") else "00" + e164[1:]


# --- Playing a call --------------------------------------------------------------------------------------------------

HANGUP_DISPOSITION = {
    "end.busy": "busy",
    "called.busy": "busy",
    "ext.busy": "busy",
    "called.failed": "failed",
    "end.unavailable": "failed",
    "guard.step_limit": "failed",
    "guard.loop": "failed",
    "did.not_connected": "failed",
    "did.missing_target": "failed",
    "scheme.missing_element": "failed",
    "scheme.missing_object": "failed",
    "scheme.unknown_element": "failed",
    "scheme.unconnected_exit": "failed",
}


def disposition_of(result: RouteResult) -> str:
    """The call record's result for how the engine ended the call."""
    final = result.final
    if final.kind == StepKind.ANSWERED:
        return "answered"
    if final.kind == StepKind.VOICEMAIL:
        return "voicemail" if final.code == "voicemail.message" else "answered"
    if final.kind == StepKind.REFUSED:
        return "refused"
    return HANGUP_DISPOSITION.get(final.code, "no_answer")


def talk_seconds(rng: random.Random, kind: str) -> int:
    """How long people talk: log-normal around 1.5 minutes outside, 40 seconds inside; 3 s to 30 minutes."""
    median = 40 if kind == INTERNAL else 95
    return max(3, min(1800, round(median * math.exp(rng.gauss(0, 0.9)))))


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _leg(kind: str, source: str, destination: str, start: datetime, answer: datetime | None, end: datetime) -> dict:
    return {
        "kind": kind,
        "from": source or WITHHELD,
        "to": destination or WITHHELD,
        "start": _iso(start),
        "answer": _iso(answer) if answer else None,
        "end": _iso(end),
    }


def _first_extension(result: RouteResult) -> str:
    for asked in result.questions:
        if asked.question.kind == QuestionKind.EXTENSION:
            return asked.question.key.split(".")[1]
    return ""


def answers_for(config: RoutingConfig, planned: PlannedCall) -> SimulatedAnswers:
    """The seeded answers of one call: people at their desks on a working day, or not."""
    local = planned.start.astimezone(WARSAW)
    at_work = local.hour in WORKING and not is_quiet_day(local.date(), config)
    return SimulatedAnswers(random.Random(planned.rng_seed + ":answers"), at_work=at_work)


@dataclass
class _Timeline:
    """Moments of one call in seconds after its start, and what happened on the way."""

    elapsed: float = 0.0  # when the last routing step was over
    forwards: list[dict] = field(default_factory=list)  # rings of external numbers: to, from, start, answer, end
    sms: list[SmsEvent] = field(default_factory=list)
    answer: float | None = None
    end: float = 0.0
    talk: int = 0
    voicemail: VoicemailEvent | None = None


def _walk(planned: PlannedCall, result: RouteResult, rng: random.Random) -> _Timeline:
    """Place the routing steps on the timeline: announcements and key presses take a moment, rings their time."""
    timeline = _Timeline()
    for step in result.steps:
        if step.kind == StepKind.PLAY:
            timeline.elapsed += rng.randint(4, 9)
        elif step.kind == StepKind.IVR and step.code != "ivr.timeout":
            timeline.elapsed += rng.randint(3, 8)
        elif step.kind == StepKind.CHECK and step.code in ("out.pin", "conference.pin"):
            timeline.elapsed += rng.randint(4, 8)
        timeline.elapsed += step.seconds
        forwards = timeline.forwards
        if step.code in ("ring.external_active", "ring.external_passive"):
            forwards.append(
                {"to": step.params["number"], "from": step.params.get("shown", ""), "start": timeline.elapsed}
            )
        elif step.code == "external.no_answer" and forwards:
            forwards[-1]["end"] = timeline.elapsed
        elif step.code == "external.failed" and forwards:
            forwards[-1]["end"] = timeline.elapsed + rng.randint(1, 3)
        elif step.code == "external.sms":
            call = planned.call
            timeline.sms.append(
                SmsEvent(
                    key=f"{planned.call_id}:sms:{len(timeline.sms) + 1}",
                    sender=call.did if isinstance(call, IncomingCall) and call.did else "",
                    to=step.params["number"],
                    caller=step.params.get("caller", ""),
                )
            )
    return timeline


def _finish(
    config: RoutingConfig, planned: PlannedCall, result: RouteResult, disposition: str, timeline: _Timeline, rng
) -> None:
    """When the call was answered (after ringing, or waiting in the queue) and how long it then lasted."""
    final, party = result.final, result.answered_by
    elapsed = timeline.elapsed
    if disposition == "answered":
        if final.code == "answered.agent":
            queue = config.queues.get(result.queue)
            timeline.answer = elapsed + rng.randint(3, max(3, min(90, queue.max_wait if queue else 60)))
        elif final.code == "answered.conference":
            timeline.answer = elapsed + 1
        else:
            timeline.answer = elapsed + rng.randint(2, 14)
        timeline.talk = talk_seconds(rng, planned.kind)
        timeline.end = timeline.answer + timeline.talk
        if final.code == "answered.external" and timeline.forwards:
            timeline.forwards[-1].update(answer=timeline.answer, end=timeline.end)
        elif final.code == "answered.agent" and party is not None and party.kind == "external":
            forward = {"to": party.number, "from": result.shown_number or "", "start": elapsed}
            timeline.forwards.append({**forward, "answer": timeline.answer, "end": timeline.end})
    elif disposition == "voicemail":
        timeline.answer = elapsed + 1  # the voicemail box picks up, plays the greeting, records
        greeting, message = rng.randint(4, 7), rng.randint(4, 50)
        timeline.end = timeline.answer + greeting + message
        call = planned.call
        timeline.voicemail = VoicemailEvent(
            message_id=planned.call_id,
            extension=result.voicemail_box or "",
            caller=call.caller if isinstance(call, IncomingCall) else call.extension,
            received_at=planned.start + timedelta(seconds=timeline.answer + greeting),
            seconds=message,
        )
    else:
        timeline.end = elapsed + rng.randint(1, 3)  # the caller hears the busy tone or the refusal, hangs up


def play(config: RoutingConfig, planned: PlannedCall) -> SimulatedCall:
    """Route `planned` with seeded answers and build the events a PBX would report about it."""
    rng = random.Random(planned.rng_seed + ":timing")
    result = route(config, planned.call, answers_for(config, planned))
    disposition = disposition_of(result)
    timeline = _walk(planned, result, rng)
    _finish(config, planned, result, disposition, timeline, rng)
    start = planned.start

    def moment(seconds: float | None) -> datetime | None:
        return None if seconds is None else start + timedelta(seconds=seconds)

    end, answer = moment(timeline.end), moment(timeline.answer)
    call = planned.call
    queue = config.queues.get(result.queue) if result.queue is not None else None
    if isinstance(call, IncomingCall):
        caller, callee = call.caller or WITHHELD, call.did or ""
        party = result.answered_by
        extension = party.number if party is not None and party.kind == "extension" else ""
        extension = extension or result.voicemail_box or _first_extension(result)
        legs = [_leg("inbound", caller, callee, start, answer, end)]
    else:
        caller, extension = call.extension, call.extension
        callee = _callee(config, call.dialled)
        if planned.kind == OUTGOING and disposition != "refused":
            caller_ext = config.extension_by_number(call.extension)
            shown = caller_ext.caller_id if caller_ext and caller_ext.caller_id else call.extension
            legs = [_leg("outbound", shown, callee, start, answer, end)]
        else:
            legs = [_leg("internal", caller, callee, start, answer, end)]
    for forward in timeline.forwards:
        forward_start = forward["start"]
        legs.append(
            _leg(
                "forward",
                forward["from"] or (callee if isinstance(call, IncomingCall) else caller),
                forward["to"],
                moment(forward_start),
                moment(forward.get("answer")),
                moment(max(forward.get("end", timeline.end), forward_start)),
            )
        )
    record = {
        "call_id": planned.call_id,
        "start": _iso(start),
        "answer": _iso(answer) if answer else None,
        "end": _iso(end),
        "direction": DIRECTION[planned.kind],
        "caller": caller,
        "callee": callee,
        "extension": extension if extension.isdigit() else "",
        "queue": queue.number if queue is not None and queue.number.isdigit() else "",
        "disposition": disposition,
        "legs": legs[:20],
    }
    return SimulatedCall(
        planned=planned,
        result=result,
        record=record,
        disposition=disposition,
        end=end,
        talk_seconds=timeline.talk if disposition == "answered" else 0,
        voicemail=timeline.voicemail,
        sms=timeline.sms,
    )


def _callee(config: RoutingConfig, dialled: str) -> str:
    """The called party as the record names it: an extension or queue number, or the E.164 number dialled."""
    if config.extension_by_number(dialled) or config.queue_by_number(dialled):
        return dialled
    external = config.external_by_short_code(dialled)
    if external is not None:
        return external.number
    try:
        return normalise_external_number(dialled)
    except InvalidNumber:
        return dialled[:32]
