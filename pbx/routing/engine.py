"""The routing engine: what happens to a call, step by step, given one customer's configuration.

`route(config, call, answers)` follows an incoming call to a DID (its
"Przekieruj na": an extension, an external number, a queue or a scheme) or a
call dialled from an extension (feature codes, another extension, a queue, a
conference room, an outgoing call) and returns every step with a reason code
and its parameters (rendered in words by pbx.routing.reasons), ending with the
call answered, in a voicemail box, hung up or refused.

Plain Python, no Django. What the engine cannot know (does extension 10
answer, which key the caller presses) it asks `answers`. Run-time guards stop
a call that would go round forever: a scheme element reached again with no
caller input in between, a forwarding chain that comes back to an extension
already rung, and a hard limit on the number of steps.

The rules, where the product leaves room:
- An extension with a forwarding condition rings for its own ring time; the
  forward target rings for the forwarder's "Powrót po" time. A target that
  does not answer passes the call on only through its own forwarding
  conditions; otherwise the forwarder's return action (voicemail or hang up)
  applies. Without a forwarding condition the extension's voicemail takes the
  call when it is on for that case ("not answered or unavailable" / "busy").
- Busy with call waiting on: the person hears a waiting-call tone; not taken
  within the ring time counts as no answer. With call waiting off: busy.
- In a scheme the element's exits decide (no answer / busy / unavailable),
  not the extension's own forwarding conditions; a queue element's
  "timeout" exit replaces the queue's own timeout action.
- Queue agents that are switched off are skipped; which agent answers (or
  nobody within the maximum wait) is asked. "In order" rings the agents one
  by one for the agent ring time, so an agent reached after the maximum wait
  never rings.
- A call to the callback service number ("Wdzwoń się") follows pbx.routing.dialin
  (the single place of its rules): an unknown caller is hung up on, the PIN
  is asked up to 3 times, then the target; the target gets the outgoing
  checks with the global permission and the global max. rate, then it is
  called and bridged to the caller.
- Outgoing calls: international permission (own or the global one), the
  max. per-minute rate (own or the global 1.00 PLN/min) against the tariff,
  then the PIN, then the caller-ID presentation.
"""

from __future__ import annotations

import re
from collections import Counter

from pbx.numbering import InvalidNumber, is_polish, normalise_external_number
from pbx.routing.answers import Answers
from pbx.routing.constants import (
    CALLED_RING_TIME,
    CONFERENCE_PIN_ATTEMPTS,
    EXTERNAL_RING_TIME,
    QUEUE_LOGIN_SUFFIX,
    QUEUE_LOGOUT_SUFFIX,
    VOICEMAIL_ACCESS_CODE,
)
from pbx.routing.dialin import IvrOutcome, IvrStep, run_dial_in
from pbx.routing.model import (
    AskedQuestion,
    Call,
    Condition,
    ConferenceRoom,
    DialInCall,
    DialledCall,
    Extension,
    ExternalNumber,
    ForwardKind,
    IncomingCall,
    Party,
    PhoneNumber,
    Question,
    QuestionKind,
    Queue,
    Reply,
    RouteResult,
    RoutingConfig,
    Scheme,
    Step,
    StepKind,
    Visit,
)
from pbx.routing.timecond import evaluate, local_time
from pbx.schemes.spec import DIGITS

MAX_STEPS = 200
_SEPARATORS = re.compile(r"[\s\-./()]+")
_STAR_NUMBER = re.compile(r"^\*(\+?[0-9]+)#\Z")
# What a caller may enter at the service number in the tracer: a Polish mobile (the default), a number abroad,
# an expensive destination, or nothing (no # pressed).
DIAL_IN_TARGETS = ("+48600100200", "+493012345678", "+8613812345678", Reply.TIMEOUT)
_DIAL_IN_PIN = "1"  # stands for the real PIN, which the engine never sees: "1" right, "" wrong


class _CallEnded(Exception):
    """Raised by the step that ends the call, to unwind the routing."""


def route(
    config: RoutingConfig, call: Call, answers: Answers | None = None, *, max_steps: int = MAX_STEPS
) -> RouteResult:
    """Every step of `call` through `config`, the answers the engine used, and how the call ended."""
    router = _Router(config, answers or Answers(), max_steps)
    try:
        if isinstance(call, IncomingCall):
            router.incoming(call)
        elif isinstance(call, DialInCall):
            router.dial_in(call)
        else:
            router.dialled(call)
        router.add(StepKind.HANGUP, "end.no_route")
    except _CallEnded:
        pass
    return router.result()


def _object_id(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _int(value, default: int, low: int, high: int) -> int:
    number = _object_id(value)
    return default if number is None else max(low, min(high, number))


class _Router:
    def __init__(self, config: RoutingConfig, answers: Answers, max_steps: int) -> None:
        self.config = config
        self.answers = answers
        self.max_steps = max(2, max_steps)
        self.steps: list[Step] = []
        self.asked: list[AskedQuestion] = []
        self.occurrences: Counter[str] = Counter()
        self.place: tuple[int | None, str | None] = (None, None)
        self.did: PhoneNumber | None = None
        self.caller = ""  # the real caller's number for incoming calls ("" = withheld)
        self.caller_extension: Extension | None = None
        self.guard: str | None = None
        self.answered_by: Party | None = None
        self.voicemail_box: str | None = None
        self.queue: int | None = None
        self.shown_number: str | None = None
        self.visited: list[Visit] = []
        self.at = None
        self.element_kind: str | None = None  # the type of the scheme element being run

    # --- bookkeeping -----------------------------------------------------------------------------------------------

    def add(self, kind: str, code: str, /, *, seconds: int = 0, question: str | None = None, **params) -> None:
        """Record a step; a final step (answered, voicemail, hang-up, refused) ends the call."""
        if kind not in StepKind.FINAL and len(self.steps) >= self.max_steps - 1:
            self.guard = "step_limit"
            self.steps.append(Step(StepKind.HANGUP, "guard.step_limit", {"limit": self.max_steps}, 0, *self.place))
            raise _CallEnded
        if "label" in params:
            params["element"] = self.element_kind
        self.steps.append(Step(kind, code, params, seconds, self.place[0], self.place[1], question))
        if kind in StepKind.FINAL:
            raise _CallEnded

    def ask(
        self,
        kind: str,
        subject: str,
        options: tuple[str, ...],
        default: str,
        later_default: str | None = None,
        **params,
    ) -> tuple[str, str]:
        """Ask a question about `subject`; returns (question key, the answer used)."""
        self.occurrences[subject] += 1
        occurrence = self.occurrences[subject]
        key = subject if occurrence == 1 else f"{subject}.{occurrence}"
        if occurrence > 1 and later_default is not None:
            default = later_default
        question = Question(key, kind, options, default, params, occurrence)
        raw = self.answers.answer(question)
        if kind == QuestionKind.IVR and raw in DIGITS and raw not in options:
            raw = Reply.INVALID
        usable = raw in options
        answer = raw if usable else default
        self.asked.append(AskedQuestion(question, answer, not usable))
        return key, answer

    def result(self) -> RouteResult:
        return RouteResult(
            steps=self.steps,
            questions=self.asked,
            guard=self.guard,
            answered_by=self.answered_by,
            voicemail_box=self.voicemail_box,
            queue=self.queue,
            shown_number=self.shown_number,
            visited=self.visited,
        )

    # --- presentation ----------------------------------------------------------------------------------------------

    def inside_caller(self) -> str:
        """What an internal phone shows as the caller: the DID's CLIP prefix and the caller, or the extension."""
        if self.caller_extension is not None:
            return self.caller_extension.internal_substitute or self.caller_extension.number
        prefix = self.did.clip_prefix if self.did else ""
        return f"{prefix} {self.caller}".strip() if self.caller else ""

    def outside_caller(self) -> str:
        """The real caller as an outside phone may show it: the caller's number or the extension's presentation."""
        if self.caller_extension is not None:
            return self.caller_extension.caller_id or ""
        return self.caller

    def answered(self, party: Party, code: str, shown: str, **params) -> None:
        self.answered_by = party
        self.shown_number = shown
        self.add(StepKind.ANSWERED, code, number=party.number, shown=shown, **params)

    # --- incoming calls --------------------------------------------------------------------------------------------

    def incoming(self, call: IncomingCall) -> None:
        self.at = local_time(call.at)
        self.caller = call.caller or ""
        if call.did is None and call.scheme is not None:
            scheme = self.config.schemes.get(call.scheme)
            if scheme is None:
                self.add(StepKind.REFUSED, "scheme.missing")
            self.add(StepKind.CALL, "call.scheme", scheme=scheme.name, caller=self.caller, at=self.at)
            self.run_scheme(scheme)
            return
        did = self.config.did_by_number(call.did or "")
        if did is None:
            self.add(StepKind.REFUSED, "did.unknown", did=call.did or "")
        self.did = did
        self.add(StepKind.CALL, "call.incoming", did=did.number, caller=self.caller, at=self.at)
        target = did.route_target
        if did.route_kind == "extension":
            extension = self.config.extensions.get(target)
            if extension is None:
                self.add(StepKind.HANGUP, "did.missing_target", did=did.number)
            self.add(StepKind.ROUTE, "did.to_extension", did=did.number, extension=extension.label)
            self.call_extension(extension)
        elif did.route_kind == "external":
            external = self.config.external_numbers.get(target)
            if external is None:
                self.add(StepKind.HANGUP, "did.missing_target", did=did.number)
            self.add(StepKind.ROUTE, "did.to_external", did=did.number, number=external.number)
            self.ring_external(external, EXTERNAL_RING_TIME)
            self.add(StepKind.HANGUP, "end.external_not_answered", number=external.number)
        elif did.route_kind == "queue":
            queue = self.config.queues.get(target)
            if queue is None:
                self.add(StepKind.HANGUP, "did.missing_target", did=did.number)
            self.add(StepKind.ROUTE, "did.to_queue", did=did.number, queue=queue.name, queue_number=queue.number)
            self.enter_queue(queue)
            self.queue_timeout_action(queue)
        elif did.route_kind == "scheme":
            scheme = self.config.schemes.get(target)
            if scheme is None:
                self.add(StepKind.HANGUP, "did.missing_target", did=did.number)
            self.add(StepKind.ROUTE, "did.to_scheme", did=did.number, scheme=scheme.name)
            self.run_scheme(scheme)
        elif did.route_kind == "conference":
            room = self.config.conference_rooms.get(target)
            if room is None:
                self.add(StepKind.HANGUP, "did.missing_target", did=did.number)
            self.add(StepKind.ROUTE, "did.to_conference", did=did.number, room=room.name)
            self.join_conference(room)
        else:
            self.add(StepKind.HANGUP, "did.not_connected", did=did.number)

    # --- extensions and their forwarding ---------------------------------------------------------------------------

    def ring_extension(self, extension: Extension, seconds: int, code: str = "ring.extension", **params) -> str:
        """Ring an extension; ends the call when it answers, else returns why not (a Condition)."""
        if not extension.active:
            self.add(StepKind.RING, "ring.inactive", extension=extension.label)
            return Condition.UNAVAILABLE
        if self.caller_extension is not None and extension.id == self.caller_extension.id:
            self.add(StepKind.ROUTE, "ext.is_caller", extension=extension.label)
            return Condition.BUSY
        key, answer = self.ask(
            QuestionKind.EXTENSION,
            f"ext.{extension.number}",
            (Reply.ANSWER, Reply.NO_ANSWER, Reply.BUSY, Reply.UNAVAILABLE),
            Reply.ANSWER,
            extension=extension.label,
        )
        shown = self.inside_caller()
        self.add(StepKind.RING, code, question=key, extension=extension.label, ring=seconds, shown=shown, **params)
        if answer == Reply.ANSWER:
            self.answered(
                Party("extension", extension.number, extension.id), "answered.extension", shown, name=extension.label
            )
        if answer == Reply.BUSY and extension.call_waiting:
            self.add(StepKind.ROUTE, "ext.busy_waiting", seconds=seconds, extension=extension.label, ring=seconds)
            return Condition.NO_ANSWER
        if answer == Reply.BUSY:
            self.add(StepKind.ROUTE, "ext.busy", extension=extension.label)
            return Condition.BUSY
        if answer == Reply.UNAVAILABLE:
            self.add(StepKind.ROUTE, "ext.unavailable", extension=extension.label)
            return Condition.UNAVAILABLE
        self.add(StepKind.ROUTE, "ext.no_answer", seconds=seconds, extension=extension.label, ring=seconds)
        return Condition.NO_ANSWER

    def call_extension(self, extension: Extension) -> None:
        """A call to an extension with all its own rules: ring time, forwarding conditions, voicemail."""
        condition = self.ring_extension(extension, extension.ring_time)
        forward = extension.forward(condition)
        if forward.kind in (ForwardKind.EXTENSION, ForwardKind.EXTERNAL):
            self.forward(extension, condition, [extension.number])
        if forward.kind == ForwardKind.VOICEMAIL:
            self.add(StepKind.ROUTE, "fwd.voicemail", extension=extension.label, condition=condition)
            self.voicemail(extension)
        if extension.voicemail_applies(condition):
            self.add(StepKind.ROUTE, "fwd.own_voicemail", extension=extension.label, condition=condition)
            self.voicemail(extension)
        code = {Condition.BUSY: "end.busy", Condition.UNAVAILABLE: "end.unavailable"}.get(condition, "end.no_answer")
        self.add(StepKind.HANGUP, code, extension=extension.label)

    def forward(self, forwarder: Extension, condition: str, chain: list[str]) -> None:
        """Follow `forwarder`'s forwarding condition to an extension or an external number; always ends the call."""
        forward = forwarder.forward(condition)
        seconds = forwarder.return_after
        if forward.kind == ForwardKind.EXTERNAL:
            external = self.config.external_numbers.get(forward.external)
            if external is None:
                self.add(StepKind.ROUTE, "fwd.missing_target", extension=forwarder.label, condition=condition)
                self.return_action(forwarder)
            self.add(
                StepKind.ROUTE,
                "fwd.to_external",
                extension=forwarder.label,
                condition=condition,
                number=external.number,
                ring=seconds,
            )
            self.ring_external(external, seconds)
            self.add(StepKind.ROUTE, "fwd.return", extension=forwarder.label, ring=seconds)
            self.return_action(forwarder)
        target = self.config.extension_by_number(forward.extension or "")
        if target is None:
            self.add(StepKind.ROUTE, "fwd.missing_target", extension=forwarder.label, condition=condition)
            self.return_action(forwarder)
        if target.number in chain:
            self.guard = "loop"
            self.add(
                StepKind.ROUTE,
                "guard.forward_loop",
                extension=forwarder.label,
                target=target.label,
                chain=" → ".join([*chain, target.number]),
            )
            self.return_action(forwarder)
        self.add(
            StepKind.ROUTE,
            "fwd.to_extension",
            extension=forwarder.label,
            condition=condition,
            target=target.label,
            ring=seconds,
        )
        target_condition = self.ring_extension(target, seconds, code="ring.forwarded")
        passed_on = target.forward(target_condition)
        if passed_on.kind in (ForwardKind.EXTENSION, ForwardKind.EXTERNAL):
            self.add(StepKind.ROUTE, "fwd.passed_on", extension=target.label, condition=target_condition)
            self.forward(target, target_condition, [*chain, target.number])
        if passed_on.kind == ForwardKind.VOICEMAIL:
            self.add(StepKind.ROUTE, "fwd.voicemail", extension=target.label, condition=target_condition)
            self.voicemail(target)
        self.add(StepKind.ROUTE, "fwd.return", extension=forwarder.label, ring=seconds)
        self.return_action(forwarder)

    def return_action(self, extension: Extension) -> None:
        if extension.return_action == "voicemail":
            self.add(StepKind.ROUTE, "return.voicemail", extension=extension.label)
            self.voicemail(extension)
        self.add(StepKind.HANGUP, "return.hangup", extension=extension.label)

    def voicemail(self, extension: Extension) -> None:
        if not extension.voicemail_enabled:
            self.add(StepKind.HANGUP, "voicemail.off", extension=extension.label)
        self.voicemail_box = extension.number
        self.add(StepKind.VOICEMAIL, "voicemail.message", extension=extension.label)

    # --- external numbers ------------------------------------------------------------------------------------------

    def ring_external(self, external: ExternalNumber, seconds: int) -> str:
        """Ring an external number with its presentation rule; ends the call when answered, else returns why not."""
        if external.presentation == "active":
            shown = self.did.number if self.did else self.outside_caller()
            code = "ring.external_active"
        else:
            shown = self.outside_caller()
            code = "ring.external_passive"
        rate = self.config.rates.lookup(external.number) if self.config.rates else None
        key, answer = self.ask(
            QuestionKind.EXTERNAL,
            f"external.{external.id}",
            (Reply.ANSWER, Reply.NO_ANSWER, Reply.FAILED),
            Reply.ANSWER,
            number=external.number,
            description=external.description,
        )
        self.add(
            StepKind.RING,
            code,
            question=key,
            number=external.number,
            description=external.description,
            ring=seconds,
            shown=shown,
            destination=rate.destination if rate else "",
            price=rate.price_per_minute if rate else None,
        )
        if external.sms_on_forward:
            self.add(StepKind.CHECK, "external.sms", number=external.number, caller=self.outside_caller())
        if answer == Reply.ANSWER:
            if external.dtmf:
                self.add(StepKind.CHECK, "external.dtmf", dtmf=external.dtmf)
            self.answered(Party("external", external.number, external.id), "answered.external", shown)
        if answer == Reply.FAILED:
            self.add(StepKind.ROUTE, "external.failed", number=external.number)
            return Reply.FAILED
        self.add(StepKind.ROUTE, "external.no_answer", seconds=seconds, number=external.number, ring=seconds)
        return Reply.NO_ANSWER

    # --- queues ----------------------------------------------------------------------------------------------------

    def enter_queue(self, queue: Queue) -> None:
        """The caller waits in the queue; ends the call when an agent answers, returns after the maximum wait."""
        self.queue = queue.id
        self.add(
            StepKind.QUEUE,
            "queue.enter",
            queue=queue.name,
            queue_number=queue.number,
            strategy=queue.strategy,
            max_wait=queue.max_wait,
            greeting=queue.greeting,
            announce_position=queue.announce_position,
        )
        members: list[tuple[str, str, Party, ExternalNumber | None]] = []
        for agent in queue.agents:
            if agent.kind == "extension":
                extension = self.config.extensions.get(agent.target)
                if extension is None or (self.caller_extension and extension.id == self.caller_extension.id):
                    continue  # a deleted agent, or the caller itself (an agent calling its own queue)
                if not extension.active:
                    self.add(StepKind.QUEUE, "queue.agent_inactive", extension=extension.label)
                    continue
                key, label = f"ext.{extension.number}", extension.label
                party, external = Party("extension", extension.number, extension.id), None
            else:
                external = self.config.external_numbers.get(agent.target)
                if external is None:
                    continue
                key, label = f"external.{external.id}", f"{external.number} {external.description}".strip()
                party = Party("external", external.number, external.id)
            if all(key != member[0] for member in members):
                members.append((key, label, party, external))
        if not members:
            self.add(
                StepKind.QUEUE, "queue.no_agents", seconds=queue.max_wait, queue=queue.name, max_wait=queue.max_wait
            )
            return
        labels = [member[1] for member in members]
        key, answer = self.ask(
            QuestionKind.QUEUE,
            f"queue.{queue.id}",
            (*(member[0] for member in members), Reply.NOBODY),
            members[0][0],
            queue=queue.name,
            agents=tuple((member[0], member[1]) for member in members),
        )
        if answer == Reply.NOBODY:
            self.add(
                StepKind.RING, f"queue.ring.{queue.strategy}", question=key, agents=labels, ring=queue.agent_ring_time
            )
            self.add(StepKind.QUEUE, "queue.timeout", seconds=queue.max_wait, queue=queue.name, max_wait=queue.max_wait)
            return
        index = next(i for i, member in enumerate(members) if member[0] == answer)
        _, label, party, external = members[index]
        if queue.strategy == "linear":
            waited = index * queue.agent_ring_time
            if waited >= queue.max_wait:
                self.add(
                    StepKind.QUEUE,
                    "queue.too_late",
                    question=key,
                    seconds=queue.max_wait,
                    agent=label,
                    waited=waited,
                    max_wait=queue.max_wait,
                )
                return
            for _, earlier, _, _ in members[:index]:
                self.add(
                    StepKind.RING,
                    "queue.agent_no_answer",
                    seconds=queue.agent_ring_time,
                    agent=earlier,
                    ring=queue.agent_ring_time,
                )
            self.add(StepKind.RING, "queue.ring.linear_agent", question=key, agent=label, ring=queue.agent_ring_time)
        else:
            self.add(
                StepKind.RING, f"queue.ring.{queue.strategy}", question=key, agents=labels, ring=queue.agent_ring_time
            )
        if external is not None:
            shown = self.did.number if external.presentation == "active" and self.did else self.outside_caller()
        else:
            shown = self.inside_caller()
        self.answered(party, "answered.agent", shown, agent=label, queue=queue.name)

    def queue_timeout_action(self, queue: Queue) -> None:
        """The queue's own "when the maximum wait is exceeded" (outside schemes)."""
        extension = self.config.extensions.get(queue.timeout_extension)
        if queue.timeout_action == "extension" and extension is not None:
            self.add(StepKind.ROUTE, "queue.timeout_to_extension", queue=queue.name, extension=extension.label)
            self.call_extension(extension)
        self.add(StepKind.HANGUP, "queue.timeout_hangup", queue=queue.name)

    # --- conference rooms ------------------------------------------------------------------------------------------

    def join_conference(self, room: ConferenceRoom | None) -> None:
        """The PIN (three tries, then the caller is disconnected), then a place in the room unless it is full."""
        if room is None:
            self.add(StepKind.HANGUP, "conference.missing")
        if room.pin:
            for attempt in range(1, CONFERENCE_PIN_ATTEMPTS + 1):
                key, answer = self.ask(
                    QuestionKind.PIN,
                    f"pin.conference.{room.id}",
                    (Reply.CORRECT, Reply.WRONG),
                    Reply.CORRECT,
                    room=room.name,
                    attempt=attempt,
                )
                self.add(StepKind.CHECK, "conference.pin", seconds=5, question=key, room=room.name)
                if answer == Reply.CORRECT:
                    break
                if attempt < CONFERENCE_PIN_ATTEMPTS:
                    self.add(StepKind.CHECK, "conference.pin_retry", room=room.name, attempt=attempt)
            else:
                self.add(StepKind.REFUSED, "conference.pin_wrong", room=room.name, attempts=CONFERENCE_PIN_ATTEMPTS)
        if room.participants >= room.max_participants:
            self.add(StepKind.REFUSED, "conference.full", room=room.name, limit=room.max_participants)
        self.answered(
            Party("conference", room.number or room.name, room.id),
            "answered.conference",
            self.outside_caller() if self.caller_extension is None else self.inside_caller(),
            room=room.name,
        )

    # --- schemes ---------------------------------------------------------------------------------------------------

    def run_scheme(self, scheme: Scheme) -> None:
        graph = scheme.graph if isinstance(scheme.graph, dict) else {}
        nodes = graph.get("nodes") if isinstance(graph.get("nodes"), dict) else {}
        node_id = graph.get("start")
        since_input: set[str] = set()
        while True:
            node = nodes.get(node_id) if isinstance(node_id, str) else None
            if node is None or not isinstance(node, dict):
                self.add(StepKind.HANGUP, "scheme.missing_element", scheme=scheme.name)
            self.place = (scheme.id, node_id)
            self.element_kind = node.get("type")
            label = str(node.get("label") or "")
            if node_id in since_input:
                self.guard = "loop"
                self.add(StepKind.HANGUP, "guard.loop", label=label)
            since_input.add(node_id)
            self.visited.append(Visit(scheme.id, node_id))
            exit_name, caller_input = self.scheme_element(node, label)
            if caller_input:
                self.visited[-1] = Visit(scheme.id, node_id, caller_input=True)
                since_input = set()
            exits = node.get("exits") if isinstance(node.get("exits"), dict) else {}
            next_id = exits.get(exit_name)
            if next_id is None or next_id not in nodes:
                self.add(StepKind.HANGUP, "scheme.unconnected_exit", label=label, exit=exit_name)
            node_id = next_id

    def scheme_element(self, node: dict, label: str) -> tuple[str, bool]:
        """Run one element; returns (the exit taken, whether the caller pressed a key)."""
        kind = node.get("type")
        config = node.get("config") if isinstance(node.get("config"), dict) else {}
        if kind == "announcement":
            greeting = config.get("greeting") or "system"
            self.add(
                StepKind.PLAY, "scheme.announcement", label=label, text=config.get("text") or "", greeting=greeting
            )
            return "next", False
        if kind == "ivr":
            return self.ivr(config, label)
        if kind == "time_condition":
            decision = evaluate(config, self.at, self.config.public_holiday)
            self.add(
                StepKind.TIME,
                decision.code,
                label=label,
                weekday=decision.weekday,
                at=decision.local,
                hours=decision.hours,
                interval=decision.interval,
                holiday=decision.holiday,
            )
            return ("matched" if decision.matched else "unmatched"), False
        if kind == "queue":
            queue = self.config.queues.get(_object_id(config.get("queue")))
            if queue is None:
                self.add(StepKind.HANGUP, "scheme.missing_object", label=label)
            self.enter_queue(queue)
            self.add(StepKind.ROUTE, "scheme.queue_timeout", label=label, queue=queue.name)
            return "timeout", False
        if kind == "extension":
            extension = self.config.extensions.get(_object_id(config.get("sip_account")))
            if extension is None:
                self.add(StepKind.HANGUP, "scheme.missing_object", label=label)
            seconds = _int(config.get("ring_seconds"), extension.ring_time, 5, 300)
            condition = self.ring_extension(extension, seconds)
            self.add(StepKind.ROUTE, "scheme.extension_exit", label=label, condition=condition)
            return condition, False
        if kind == "external":
            external = self.config.external_numbers.get(_object_id(config.get("external_number")))
            if external is None:
                self.add(StepKind.HANGUP, "scheme.missing_object", label=label)
            seconds = _int(config.get("ring_seconds"), EXTERNAL_RING_TIME, 5, 300)
            return self.ring_external(external, seconds), False
        if kind == "voicemail":
            extension = self.config.extensions.get(_object_id(config.get("sip_account")))
            if extension is None:
                self.add(StepKind.HANGUP, "scheme.missing_object", label=label)
            self.voicemail(extension)
        if kind == "conference":
            room = self.config.conference_rooms.get(_object_id(config.get("room")))
            if room is None:
                self.add(StepKind.HANGUP, "scheme.missing_object", label=label)
            self.join_conference(room)
        if kind == "hangup":
            self.add(StepKind.HANGUP, "scheme.hangup", label=label)
        self.add(StepKind.HANGUP, "scheme.unknown_element", label=label)
        raise AssertionError("unreachable")  # pragma: no cover

    def ivr(self, config: dict, label: str) -> tuple[str, bool]:
        configured = config.get("options") if isinstance(config.get("options"), list | tuple) else ()
        options = tuple(digit for digit in DIGITS if digit in configured)
        timeout = _int(config.get("timeout_seconds"), 10, 1, 60)
        attempts = _int(config.get("max_attempts"), 3, 1, 5)
        key, answer = self.ask(
            QuestionKind.IVR,
            f"ivr.{self.place[0]}.{self.place[1]}",
            (*options, Reply.INVALID, Reply.TIMEOUT),
            options[0] if options else Reply.TIMEOUT,
            later_default=Reply.TIMEOUT,
            label=label,
        )
        if answer == Reply.TIMEOUT:
            self.add(
                StepKind.IVR,
                "ivr.timeout",
                question=key,
                seconds=timeout * attempts,
                label=label,
                timeout=timeout,
                attempts=attempts,
                options=options,
            )
            return "timeout", False
        if answer == Reply.INVALID:
            self.add(StepKind.IVR, "ivr.invalid", question=key, label=label, attempts=attempts, options=options)
            return "invalid", True
        self.add(StepKind.IVR, "ivr.pressed", question=key, label=label, digit=answer, options=options)
        return answer, True

    # --- calls from an extension -----------------------------------------------------------------------------------

    def dialled(self, call: DialledCall) -> None:
        self.at = local_time(call.at)
        extension = self.config.extension_by_number(call.extension)
        if extension is None:
            self.add(StepKind.REFUSED, "caller.unknown", extension=call.extension)
        self.caller_extension = extension
        dialled = _SEPARATORS.sub("", call.dialled or "")
        self.add(StepKind.CALL, "call.dialled", extension=extension.label, dialled=dialled, at=self.at)
        if not extension.active:
            self.add(StepKind.REFUSED, "caller.inactive", extension=extension.label)
        if not dialled:
            self.add(StepKind.REFUSED, "dial.empty")
        if dialled == VOICEMAIL_ACCESS_CODE:
            self.voicemail_access(extension)
        for queue in self.config.queues.values():
            if dialled == queue.number + QUEUE_LOGIN_SUFFIX:
                self.queue_login(extension, queue)
            if dialled == queue.number + QUEUE_LOGOUT_SUFFIX:
                self.queue_logout(extension, queue)
        external = self.config.external_by_short_code(dialled)
        if external is not None:
            self.add(StepKind.ROUTE, "dial.short_code", code=dialled, number=external.number)
            self.outgoing(extension, external.number, external)
        room = self.config.room_by_number(dialled)
        if room is not None:
            self.add(StepKind.ROUTE, "dial.conference", room=room.name, code=dialled)
            self.join_conference(room)
        target = self.config.extension_by_number(dialled)
        if target is not None:
            if target.id == extension.id:
                self.add(StepKind.REFUSED, "dial.own_extension", extension=extension.label)
            self.add(StepKind.ROUTE, "dial.extension", target=target.label)
            self.call_extension(target)
        queue = self.config.queue_by_number(dialled)
        if queue is not None:
            self.add(StepKind.ROUTE, "dial.queue", queue=queue.name, queue_number=queue.number)
            self.enter_queue(queue)
            self.queue_timeout_action(queue)
        star = _STAR_NUMBER.match(dialled)
        raw = star.group(1) if star else dialled
        try:
            number = normalise_external_number(raw)
        except InvalidNumber:
            self.add(StepKind.REFUSED, "dial.invalid_star_number" if star else "dial.unknown", dialled=dialled)
        if star:
            self.add(StepKind.ROUTE, "dial.star_number", code=dialled, number=number)
        self.outgoing(extension, number, self.config.external_by_number(number))

    def voicemail_access(self, extension: Extension) -> None:
        if not extension.voicemail_enabled:
            self.add(StepKind.REFUSED, "feature.voicemail_off", extension=extension.label)
        self.add(StepKind.FEATURE, "feature.voicemail_access", extension=extension.label)
        if extension.voicemail_pin:
            key, answer = self.ask(
                QuestionKind.PIN, "pin.voicemail", (Reply.CORRECT, Reply.WRONG), Reply.CORRECT, purpose="voicemail"
            )
            self.add(StepKind.CHECK, "feature.voicemail_pin", question=key)
            if answer == Reply.WRONG:
                self.add(StepKind.REFUSED, "feature.voicemail_pin_wrong", extension=extension.label)
        self.voicemail_box = extension.number
        self.add(StepKind.VOICEMAIL, "voicemail.access", extension=extension.label)

    def _agent_entries(self, extension: Extension, queue: Queue) -> tuple[bool, bool]:
        entries = [a for a in queue.agents if a.kind == "extension" and a.target == extension.id]
        return any(a.dynamic for a in entries), any(not a.dynamic for a in entries)

    def queue_login(self, extension: Extension, queue: Queue) -> None:
        dynamic, static = self._agent_entries(extension, queue)
        code = "feature.queue_login_again" if dynamic else "feature.queue_login"
        params = {"extension": extension.label, "queue": queue.name, "queue_number": queue.number}
        self.add(StepKind.FEATURE, code, **params)
        if static:
            self.add(StepKind.FEATURE, "feature.queue_static_agent", **params)
        self.add(StepKind.HANGUP, "feature.done", **params)

    def queue_logout(self, extension: Extension, queue: Queue) -> None:
        dynamic, static = self._agent_entries(extension, queue)
        code = "feature.queue_logout" if dynamic else "feature.queue_logout_not_logged_in"
        params = {"extension": extension.label, "queue": queue.name, "queue_number": queue.number}
        self.add(StepKind.FEATURE, code, **params)
        if static:
            self.add(StepKind.FEATURE, "feature.queue_static_agent", **params)
        self.add(StepKind.HANGUP, "feature.done", **params)

    def outgoing(self, extension: Extension, number: str, external: ExternalNumber | None) -> None:
        """An outgoing call to `number`: permission, rate, PIN, presentation, then the called party."""
        if not is_polish(number):
            if extension.international == "deny":
                self.add(StepKind.REFUSED, "out.international_denied", extension=extension.label, number=number)
            if extension.international != "allow" and not self.config.international_allowed:
                self.add(StepKind.REFUSED, "out.international_global_denied", extension=extension.label, number=number)
            code = "out.international_allowed" if extension.international == "allow" else "out.international_global"
            self.add(StepKind.CHECK, code, extension=extension.label, number=number)
        own_limit = extension.max_rate is not None
        limit = extension.max_rate if own_limit else self.config.global_max_rate
        if self.config.rates is not None:
            rate = self.config.rates.lookup(number)
            if rate is None:
                self.add(StepKind.REFUSED, "out.no_rate", number=number)
            params = {"destination": rate.destination, "price": rate.price_per_minute, "limit": limit, "own": own_limit}
            if rate.price_per_minute > limit:
                self.add(StepKind.REFUSED, "out.rate_too_high", number=number, **params)
            self.add(StepKind.CHECK, "out.rate_ok", number=number, **params)
        if extension.outgoing_pin:
            key, answer = self.ask(
                QuestionKind.PIN, "pin.outgoing", (Reply.CORRECT, Reply.WRONG), Reply.CORRECT, purpose="outgoing"
            )
            self.add(StepKind.CHECK, "out.pin", question=key, extension=extension.label)
            if answer == Reply.WRONG:
                self.add(StepKind.REFUSED, "out.pin_wrong", extension=extension.label)
        shown = extension.caller_id or ""
        self.add(StepKind.CHECK, "out.presentation" if shown else "out.presentation_withheld", shown=shown)
        key, answer = self.ask(
            QuestionKind.CALLED,
            f"called.{number}",
            (Reply.ANSWER, Reply.NO_ANSWER, Reply.BUSY, Reply.FAILED),
            Reply.ANSWER,
            number=number,
        )
        self.add(StepKind.RING, "ring.called", question=key, number=number, ring=CALLED_RING_TIME)
        if answer == Reply.ANSWER:
            if external is not None and external.dtmf:
                self.add(StepKind.CHECK, "external.dtmf", dtmf=external.dtmf)
            party = Party("external", number, external.id) if external else Party("number", number)
            self.answered(party, "answered.called", shown)
        if answer == Reply.NO_ANSWER:
            self.add(StepKind.HANGUP, "called.no_answer", seconds=CALLED_RING_TIME, number=number)
        code = "called.busy" if answer == Reply.BUSY else "called.failed"
        self.add(StepKind.HANGUP, code, number=number)

    # --- the callback service number ("Wdzwoń się") ---------------------------------------------------------------

    def dial_in(self, call: DialInCall) -> None:
        """A call to the service number, walked by the dial-in rules (`dialin`), the answers standing in for keys."""
        self.at = local_time(call.at)
        self.caller = call.caller or ""
        service = self.config.service_number
        self.add(StepKind.CALL, "dialin.call", caller=self.caller, number=service, at=self.at)
        authorized = self.config.authorized_numbers.get(self.caller) if self.caller else None
        if authorized is None:
            self.add(StepKind.HANGUP, "dialin.unknown_caller", caller=self.caller)
        self.add(StepKind.CHECK, "dialin.recognised", caller=self.caller, description=authorized.description)
        pin_keys: list[str] = []
        target_keys: list[str] = []

        def entries():
            # Asked lazily, as the IVR prompts: each PIN try, then the target.
            if authorized.has_pin:
                while True:
                    key, answer = self.ask(
                        QuestionKind.PIN, "pin.dialin", (Reply.CORRECT, Reply.WRONG), Reply.CORRECT, purpose="dialin"
                    )
                    pin_keys.append(key)
                    if answer == Reply.CORRECT:
                        yield _DIAL_IN_PIN + "#"
                        break
                    yield "#"
            key, answer = self.ask(QuestionKind.TARGET, "target.dialin", DIAL_IN_TARGETS, DIAL_IN_TARGETS[0])
            target_keys.append(key)
            yield "" if answer == Reply.TIMEOUT else "*" + answer.removeprefix("+") + "#"

        ivr = run_dial_in(recognised=True, pin=_DIAL_IN_PIN if authorized.has_pin else "", entries=entries())
        tries = iter(pin_keys)
        key = None
        for ivr_step in ivr.steps:
            if ivr_step == IvrStep.PROMPT_PIN:
                key = next(tries, None)
                self.add(StepKind.CHECK, "dialin.pin", question=key)
            elif ivr_step == IvrStep.PIN_WRONG:
                self.add(StepKind.ROUTE, "dialin.pin_wrong", question=key)
            elif ivr_step == IvrStep.PIN_OK:
                self.add(StepKind.CHECK, "dialin.pin_ok", question=key)
            elif ivr_step == IvrStep.PROMPT_TARGET:
                self.add(StepKind.IVR, "dialin.target", question=target_keys[0] if target_keys else None)
            elif ivr.outcome == IvrOutcome.HANG_UP_WRONG_PIN:
                self.add(StepKind.HANGUP, "dialin.pin_hangup", tries=ivr.wrong_pins)
            else:
                self.add(StepKind.HANGUP, "dialin.no_target")
        try:
            number = normalise_external_number(ivr.target)
        except InvalidNumber:
            self.add(StepKind.REFUSED, "dialin.target_invalid", dialled=ivr.target)
        self.add(StepKind.ROUTE, "dialin.target_entered", number=number)
        self.dial_in_outgoing(number, authorized.presentation or service)

    def dial_in_outgoing(self, number: str, shown: str) -> None:
        """The checks of an outgoing call with the global settings, then the target rings and is bridged."""
        if not is_polish(number):
            if not self.config.international_allowed:
                self.add(StepKind.REFUSED, "dialin.international_denied", number=number)
            self.add(StepKind.CHECK, "dialin.international_allowed", number=number)
        limit = self.config.global_max_rate
        if self.config.rates is not None:
            rate = self.config.rates.lookup(number)
            if rate is None:
                self.add(StepKind.REFUSED, "out.no_rate", number=number)
            params = {"destination": rate.destination, "price": rate.price_per_minute, "limit": limit, "own": False}
            if rate.price_per_minute > limit:
                self.add(StepKind.REFUSED, "out.rate_too_high", number=number, **params)
            self.add(StepKind.CHECK, "out.rate_ok", number=number, **params)
        key, answer = self.ask(
            QuestionKind.CALLED,
            f"called.{number}",
            (Reply.ANSWER, Reply.NO_ANSWER, Reply.BUSY, Reply.FAILED),
            Reply.ANSWER,
            number=number,
        )
        self.add(StepKind.RING, "dialin.ring", question=key, number=number, shown=shown, ring=CALLED_RING_TIME)
        if answer == Reply.ANSWER:
            self.answered(Party("number", number), "dialin.bridged", shown)
        if answer == Reply.NO_ANSWER:
            self.add(StepKind.HANGUP, "called.no_answer", seconds=CALLED_RING_TIME, number=number)
        self.add(StepKind.HANGUP, "called.busy" if answer == Reply.BUSY else "called.failed", number=number)
