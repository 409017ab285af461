"""The plain data of the routing engine: a customer's configuration, a call, the questions and the result.

Nothing here knows Django. `pbx.selectors.routing` fills `RoutingConfig` from
the database; tests, the tracer and the simulator build it by hand or from a
snapshot and pass it to `pbx.routing.engine.route`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from billing.rating import PrefixTable
from pbx.routing.constants import DEFAULT_RETURN_AFTER, DEFAULT_RING_TIME, GLOBAL_MAX_RATE
from pbx.routing.holidays import holiday_name

# --- Configuration -------------------------------------------------------------------------------------------------


class ForwardKind:
    NONE = "none"
    EXTENSION = "extension"
    VOICEMAIL = "voicemail"
    EXTERNAL = "external"


class Condition:
    """Why an extension did not take a call: the three forwarding conditions."""

    NO_ANSWER = "no_answer"
    BUSY = "busy"
    UNAVAILABLE = "unavailable"
    ALL = (NO_ANSWER, BUSY, UNAVAILABLE)


@dataclass(frozen=True)
class Forward:
    """One forwarding condition of an extension: where the call goes (target is an extension number or an id)."""

    kind: str = ForwardKind.NONE
    extension: str | None = None  # the target extension's number
    external: int | None = None  # the target external number's id


@dataclass(frozen=True)
class Extension:
    """A SIP account as far as routing cares."""

    id: int
    number: str
    name: str = ""
    active: bool = True
    ring_time: int = DEFAULT_RING_TIME
    call_waiting: bool = True
    voicemail_enabled: bool = False
    voicemail_pin: str = ""
    voicemail_on_no_answer: bool = True
    voicemail_on_busy: bool = False
    forward_no_answer: Forward = Forward()
    forward_busy: Forward = Forward()
    forward_unavailable: Forward = Forward()
    return_after: int = DEFAULT_RETURN_AFTER
    return_action: str = "voicemail"  # "voicemail" | "hangup"
    caller_id: str | None = None  # the E.164 number shown outside; None = withheld
    internal_substitute: str = ""  # shown inside the PBX instead of the extension number, when set
    international: str = "global"  # "global" | "allow" | "deny"
    max_rate: Decimal | None = None  # own max. per-minute rate; None = the global one
    outgoing_pin: str = ""

    def forward(self, condition: str) -> Forward:
        return getattr(self, f"forward_{condition}")

    def voicemail_applies(self, condition: str) -> bool:
        """Whether the voicemail box takes an unanswered call by itself (no forwarding set for the condition)."""
        if not self.voicemail_enabled:
            return False
        return self.voicemail_on_busy if condition == Condition.BUSY else self.voicemail_on_no_answer

    @property
    def label(self) -> str:
        return f"{self.number} {self.name}".strip()


@dataclass(frozen=True)
class ExternalNumber:
    id: int
    number: str  # E.164
    description: str = ""
    dtmf: str = ""
    short_code: str = ""
    presentation: str = "passive"  # "active": the called number is shown; "passive": the real caller
    sms_on_forward: bool = False


@dataclass(frozen=True)
class PhoneNumber:
    """A DID and where its calls go ("Przekieruj na")."""

    id: int
    number: str  # E.164
    description: str = ""
    clip_prefix: str = ""
    route_kind: str = "none"  # "none" | "extension" | "external" | "queue" | "scheme" | "conference"
    route_target: int | None = None  # id of the extension, external number, queue, scheme or conference room


@dataclass(frozen=True)
class QueueAgent:
    kind: str  # "extension" | "external"
    target: int  # id of the extension or external number
    dynamic: bool = False  # logged in by dialling <queue>*1


@dataclass(frozen=True)
class Queue:
    id: int
    name: str
    number: str
    strategy: str = "ringall"  # "ringall" | "linear" | "leastrecent" | "rrmemory"
    agent_ring_time: int = 15
    max_wait: int = 300
    timeout_action: str = "hangup"  # "hangup" | "extension"
    timeout_extension: int | None = None  # id of the extension when timeout_action is "extension"
    greeting: str = "system"  # "system" | "none"
    announce_position: bool = False
    agents: tuple[QueueAgent, ...] = ()


@dataclass(frozen=True)
class Scheme:
    id: int
    name: str
    graph: Mapping[str, Any]


@dataclass(frozen=True)
class ConferenceRoom:
    id: int
    name: str
    number: str = ""  # the internal number, e.g. *7556
    pin: str = ""
    max_participants: int = 15
    participants: int = 0  # how many are in the room when the call arrives (live state, 0 for the tracer)


@dataclass(frozen=True)
class AuthorizedNumber:
    """A mobile allowed to use the callback service number ("Wdzwoń się"); the PIN itself never leaves the database."""

    number: str  # E.164
    description: str = ""
    has_pin: bool = False
    presentation: str = ""  # the customer's number shown to the called person


@dataclass(frozen=True)
class RoutingConfig:
    """Everything of one customer the engine needs, as plain frozen data."""

    extensions: Mapping[int, Extension] = field(default_factory=dict)
    external_numbers: Mapping[int, ExternalNumber] = field(default_factory=dict)
    phone_numbers: Mapping[int, PhoneNumber] = field(default_factory=dict)
    queues: Mapping[int, Queue] = field(default_factory=dict)
    schemes: Mapping[int, Scheme] = field(default_factory=dict)
    conference_rooms: Mapping[int, ConferenceRoom] = field(default_factory=dict)
    rates: PrefixTable | None = None
    global_max_rate: Decimal = GLOBAL_MAX_RATE
    international_allowed: bool = True  # the global permission for international calls
    public_holiday: Callable[[date], str | None] = holiday_name  # the holiday's name, or None on a normal day
    authorized_numbers: Mapping[str, AuthorizedNumber] = field(default_factory=dict)  # by number
    service_number: str = ""  # the callback service number callers dial in to

    def __post_init__(self) -> None:
        indexes = {
            "_extension_by_number": {ext.number: ext for ext in self.extensions.values()},
            "_did_by_number": {did.number: did for did in self.phone_numbers.values()},
            "_queue_by_number": {queue.number: queue for queue in self.queues.values()},
            "_external_by_code": {ext.short_code: ext for ext in self.external_numbers.values() if ext.short_code},
            "_external_by_number": {ext.number: ext for ext in self.external_numbers.values()},
            "_room_by_number": {room.number: room for room in self.conference_rooms.values() if room.number},
        }
        for name, index in indexes.items():
            object.__setattr__(self, name, index)

    def extension_by_number(self, number: str) -> Extension | None:
        return self._extension_by_number.get(number)

    def did_by_number(self, number: str) -> PhoneNumber | None:
        return self._did_by_number.get(number)

    def queue_by_number(self, number: str) -> Queue | None:
        return self._queue_by_number.get(number)

    def external_by_short_code(self, code: str) -> ExternalNumber | None:
        return self._external_by_code.get(code)

    def external_by_number(self, number: str) -> ExternalNumber | None:
        return self._external_by_number.get(number)

    def room_by_number(self, number: str) -> ConferenceRoom | None:
        return self._room_by_number.get(number)


# --- Calls ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IncomingCall:
    """A call from outside to one of the customer's numbers (or, for the tracer, straight into a scheme).

    `at` is the moment the call starts: an aware datetime in any zone, or a
    naive one meaning Europe/Warsaw wall-clock time. `caller` is the E.164
    number of the caller, "" when withheld.
    """

    did: str | None
    at: datetime
    caller: str = ""
    scheme: int | None = None  # enter this scheme directly instead of a DID's route


@dataclass(frozen=True)
class DialledCall:
    """A call made from an extension: internal (another extension, a queue, a feature code) or outgoing."""

    extension: str  # the calling extension's number
    dialled: str
    at: datetime


@dataclass(frozen=True)
class DialInCall:
    """A call from `caller` to the callback service number ("Wdzwoń się"): PIN, target, then the bridged call."""

    caller: str  # E.164, "" when withheld
    at: datetime


Call = IncomingCall | DialledCall | DialInCall


# --- Questions -----------------------------------------------------------------------------------------------------


class QuestionKind:
    EXTENSION = "extension"  # does the extension answer, is it busy, unavailable
    EXTERNAL = "external"  # does the external number answer
    CALLED = "called"  # does the number dialled from an extension answer
    IVR = "ivr"  # which key the caller presses
    QUEUE = "queue"  # which agent answers in the queue, if any
    PIN = "pin"  # does the caller enter the right PIN
    TARGET = "target"  # which number the caller enters at the service number


class Reply:
    """The answers a question can have (IVR questions also take the configured digits)."""

    ANSWER = "answer"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    UNAVAILABLE = "unavailable"
    FAILED = "failed"
    TIMEOUT = "timeout"
    INVALID = "invalid"
    NOBODY = "nobody"
    CORRECT = "correct"
    WRONG = "wrong"


@dataclass(frozen=True)
class Question:
    """Something the engine cannot know and must be told: the key is stable across runs of the same call."""

    key: str
    kind: str
    options: tuple[str, ...]
    default: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)
    occurrence: int = 1  # the how-many-th time the same thing is asked in one call


@dataclass(frozen=True)
class AskedQuestion:
    question: Question
    answer: str
    defaulted: bool  # the answers object gave nothing usable, so the default was taken


# --- Result --------------------------------------------------------------------------------------------------------


class StepKind:
    CALL = "call"  # the call starts
    ROUTE = "route"  # a routing decision (DID forward, dial plan, forwarding condition)
    PLAY = "play"  # an announcement is played
    IVR = "ivr"  # an IVR menu asks the caller
    TIME = "time"  # a time condition is checked
    RING = "ring"  # an extension, an agent or an external number rings
    QUEUE = "queue"  # the caller enters or leaves a queue
    CHECK = "check"  # a check of an outgoing call (permission, rate, PIN, presentation)
    FEATURE = "feature"  # a feature code does its job
    # The call ends with one of these:
    ANSWERED = "answered"
    VOICEMAIL = "voicemail"
    HANGUP = "hangup"
    REFUSED = "refused"
    FINAL = (ANSWERED, VOICEMAIL, HANGUP, REFUSED)


@dataclass(frozen=True)
class Step:
    """One thing that happens to the call; `code` + `params` say why, rendered in words by pbx.routing.reasons."""

    kind: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)
    seconds: int = 0  # how long the step keeps the caller waiting (ringing, queueing, IVR timeouts)
    scheme: int | None = None
    node: str | None = None  # the scheme element the step belongs to
    question: str | None = None  # key of the question whose answer decided the step


@dataclass(frozen=True)
class Party:
    """Who took the call: an extension, an external number, the called number, a conference room."""

    kind: str  # "extension" | "external" | "number" | "conference"
    number: str
    id: int | None = None


@dataclass(frozen=True)
class Visit:
    """The call passed through a scheme element; `caller_input` when the caller pressed a key there."""

    scheme: int
    node: str
    caller_input: bool = False


@dataclass
class RouteResult:
    steps: list[Step]
    questions: list[AskedQuestion]
    guard: str | None = None  # "loop" or "step_limit" when the run-time guard stopped the call
    answered_by: Party | None = None
    voicemail_box: str | None = None  # the extension whose voicemail box took a message
    queue: int | None = None  # the last queue the caller waited in
    shown_number: str | None = None  # the caller number shown to whoever answered ("" = withheld)
    visited: list[Visit] = field(default_factory=list)  # the scheme elements in the order the call reached them

    @property
    def final(self) -> Step:
        return self.steps[-1]

    @property
    def outcome(self) -> str:
        return self.final.kind

    @property
    def wait_seconds(self) -> int:
        return sum(step.seconds for step in self.steps)

    def visited_nodes(self, scheme: int | None = None) -> list[str]:
        """The ids of the scheme's elements the call went through, in order (repeats kept)."""
        return [visit.node for visit in self.visited if scheme is None or visit.scheme == scheme]

    def question(self, key: str) -> AskedQuestion | None:
        return next((asked for asked in self.questions if asked.question.key == key), None)
