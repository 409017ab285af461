"""The routing engine over many small configurations (pbx/routing, no database).

Each case builds a configuration, a call and the answers to the engine's
questions, and states how the call must end and which reasons it must give
on the way.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from billing.rating import PrefixTable, Rate
from pbx.routing import (
    ConferenceRoom,
    DialledCall,
    Extension,
    ExternalNumber,
    Forward,
    IncomingCall,
    PhoneNumber,
    Queue,
    QueueAgent,
    RoutingConfig,
    Scheme,
    ScriptedAnswers,
    route,
)
from pbx.routing.reasons import render_step
from pbx.routing.testing import CALLER, DID, graph, make_config, node

pytestmark = pytest.mark.smoke

WEDNESDAY = datetime(2026, 3, 25, 10, 0)  # a working day, 10:00 Warsaw time
SATURDAY_EVENING = datetime(2026, 3, 28, 20, 0)
OFFICE_HOURS = {
    "mon": [["08:00", "16:00"]],
    "tue": [["08:00", "16:00"]],
    "wed": [["08:00", "16:00"]],
    "thu": [["08:00", "16:00"]],
    "fri": [["08:00", "16:00"]],
    "sat": [],
    "sun": [],
}


def ext(pk: int, number: str, **fields) -> Extension:
    return Extension(id=pk, number=number, name=fields.pop("name", ""), **fields)


def to_extension(number: str) -> Forward:
    return Forward("extension", extension=number)


def to_external(pk: int) -> Forward:
    return Forward("external", external=pk)


VOICEMAIL = Forward("voicemail")
MOBILE = ExternalNumber(1, "+48600700800", "Komórka szefa", presentation="passive")
MOBILE_ACTIVE = ExternalNumber(2, "+48600700900", "Komórka handlowca", presentation="active")


def did(kind: str = "none", target: int | None = None, **fields) -> PhoneNumber:
    return PhoneNumber(1, DID, route_kind=kind, route_target=target, **fields)


def incoming(at: datetime = WEDNESDAY, caller: str = CALLER, number: str | None = DID) -> IncomingCall:
    return IncomingCall(did=number, at=at, caller=caller)


def dial(dialled: str, extension: str = "10", at: datetime = WEDNESDAY) -> DialledCall:
    return DialledCall(extension=extension, dialled=dialled, at=at)


def scheme(start: str, **nodes) -> Scheme:
    return Scheme(1, "Infolinia", graph(start, **nodes))


def queue(pk: int = 1, agents=(), **fields) -> Queue:
    return Queue(
        id=pk, name=fields.pop("name", "Obsługa"), number=fields.pop("number", "1000"), agents=agents, **fields
    )


def agent(target: int, kind: str = "extension", dynamic: bool = False) -> QueueAgent:
    return QueueAgent(kind, target, dynamic)


@dataclass
class Case:
    id: str
    config: RoutingConfig
    call: IncomingCall | DialledCall
    outcome: str
    codes: list[str] = field(default_factory=list)  # these reason codes appear, in this order
    answers: dict[str, str] = field(default_factory=dict)
    last: str | None = None  # the code of the final step
    expect: dict = field(default_factory=dict)  # attributes of the result


def codes_of(result) -> list[str]:
    return [step.code for step in result.steps]


def in_order(expected: list[str], actual: list[str]) -> bool:
    position = 0
    for code in actual:
        if position < len(expected) and code == expected[position]:
            position += 1
    return position == len(expected)


TEN = ext(1, "10", name="Sekretariat")
TEN_VOICEMAIL = ext(1, "10", name="Sekretariat", voicemail_enabled=True)
ELEVEN = ext(2, "11", name="Biuro")
TWELVE = ext(3, "12", name="Handel")

DID_CASES = [
    Case("did-not-connected", make_config(phone_numbers=[did()]), incoming(), "hangup", last="did.not_connected"),
    Case(
        "did-unknown-number",
        make_config(phone_numbers=[did()]),
        incoming(number="+48221112233"),
        "refused",
        last="did.unknown",
    ),
    Case(
        "did-to-extension-answers",
        make_config(extensions=[TEN], phone_numbers=[did("extension", 1, clip_prefix="INF")]),
        incoming(),
        "answered",
        ["call.incoming", "did.to_extension", "ring.extension"],
        last="answered.extension",
        expect={"shown_number": f"INF {CALLER}", "ring_text": "its phone shows INF +48 600 100 200"},
    ),
    Case(
        "no-answer-no-forward-no-voicemail-hangs-up",
        make_config(extensions=[TEN], phone_numbers=[did("extension", 1)]),
        incoming(),
        "hangup",
        ["ext.no_answer"],
        {"ext.10": "no_answer"},
        last="end.no_answer",
        expect={"wait_seconds": 30},
    ),
    Case(
        "no-answer-goes-to-voicemail-when-on",
        make_config(extensions=[TEN_VOICEMAIL], phone_numbers=[did("extension", 1)]),
        incoming(),
        "voicemail",
        ["ext.no_answer", "fwd.own_voicemail"],
        {"ext.10": "no_answer"},
        expect={"voicemail_box": "10"},
    ),
    Case(
        "unavailable-goes-to-voicemail-of-not-answered",
        make_config(extensions=[TEN_VOICEMAIL], phone_numbers=[did("extension", 1)]),
        incoming(),
        "voicemail",
        ["ext.unavailable", "fwd.own_voicemail"],
        {"ext.10": "unavailable"},
    ),
    Case(
        "busy-without-voicemail-on-busy-is-busy",
        make_config(
            extensions=[ext(1, "10", call_waiting=False, voicemail_enabled=True)], phone_numbers=[did("extension", 1)]
        ),
        incoming(),
        "hangup",
        ["ext.busy"],
        {"ext.10": "busy"},
        last="end.busy",
    ),
    Case(
        "busy-with-voicemail-on-busy",
        make_config(
            extensions=[ext(1, "10", call_waiting=False, voicemail_enabled=True, voicemail_on_busy=True)],
            phone_numbers=[did("extension", 1)],
        ),
        incoming(),
        "voicemail",
        ["ext.busy", "fwd.own_voicemail"],
        {"ext.10": "busy"},
    ),
    Case(
        "call-waiting-off-busy-forward",
        make_config(
            extensions=[ext(1, "10", call_waiting=False, forward_busy=to_extension("11")), ELEVEN],
            phone_numbers=[did("extension", 1)],
        ),
        incoming(),
        "answered",
        ["ext.busy", "fwd.to_extension", "ring.forwarded"],
        {"ext.10": "busy"},
        expect={"answered_by.number": "11"},
    ),
    Case(
        "call-waiting-on-busy-counts-as-no-answer",
        make_config(
            extensions=[
                ext(1, "10", call_waiting=True, forward_busy=to_extension("11"), forward_no_answer=to_extension("12")),
                ELEVEN,
                TWELVE,
            ],
            phone_numbers=[did("extension", 1)],
        ),
        incoming(),
        "answered",
        ["ext.busy_waiting", "fwd.to_extension"],
        {"ext.10": "busy"},
        expect={"answered_by.number": "12"},
    ),
    Case(
        "switched-off-extension-is-unavailable-without-asking",
        make_config(
            extensions=[ext(1, "10", active=False, forward_unavailable=to_external(1))],
            external_numbers=[MOBILE],
            phone_numbers=[did("extension", 1)],
        ),
        incoming(),
        "answered",
        ["ring.inactive", "fwd.to_external", "ring.external_passive"],
        expect={"answered_by.number": MOBILE.number, "shown_number": CALLER, "questions_keys": ["external.1"]},
    ),
    Case(
        "forward-target-not-answering-returns-to-voicemail",
        make_config(
            extensions=[
                ext(1, "10", voicemail_enabled=True, forward_no_answer=to_extension("11"), return_after=20),
                ELEVEN,
            ],
            phone_numbers=[did("extension", 1)],
        ),
        incoming(),
        "voicemail",
        ["fwd.to_extension", "ring.forwarded", "ext.no_answer", "fwd.return", "return.voicemail"],
        {"ext.10": "no_answer", "ext.11": "no_answer"},
        expect={"voicemail_box": "10", "wait_seconds": 50},
    ),
    Case(
        "forward-target-not-answering-return-action-hangs-up",
        make_config(
            extensions=[ext(1, "10", forward_no_answer=to_extension("11"), return_action="hangup"), ELEVEN],
            phone_numbers=[did("extension", 1)],
        ),
        incoming(),
        "hangup",
        ["fwd.return"],
        {"ext.10": "no_answer", "ext.11": "busy"},
        last="return.hangup",
    ),
    Case(
        "forward-target-passes-on-with-its-own-forwarding",
        make_config(
            extensions=[
                ext(1, "10", forward_no_answer=to_extension("11")),
                ext(2, "11", forward_unavailable=to_external(1)),
            ],
            external_numbers=[MOBILE],
            phone_numbers=[did("extension", 1)],
        ),
        incoming(),
        "answered",
        ["fwd.to_extension", "ext.unavailable", "fwd.passed_on", "fwd.to_external"],
        {"ext.10": "no_answer", "ext.11": "unavailable"},
        expect={"answered_by.number": MOBILE.number},
    ),
    Case(
        "forward-loop-is-stopped-at-run-time",
        make_config(
            extensions=[
                ext(1, "10", voicemail_enabled=True, forward_no_answer=to_extension("11")),
                ext(2, "11", voicemail_enabled=True, forward_no_answer=to_extension("10")),
            ],
            phone_numbers=[did("extension", 1)],
        ),
        incoming(),
        "voicemail",
        ["fwd.to_extension", "fwd.passed_on", "guard.forward_loop", "return.voicemail"],
        {"ext.10": "no_answer", "ext.11": "no_answer"},
        expect={"guard": "loop", "voicemail_box": "11"},
    ),
    Case(
        "forward-to-itself-is-stopped",
        make_config(
            extensions=[ext(1, "10", forward_no_answer=to_extension("10"), return_action="hangup")],
            phone_numbers=[did("extension", 1)],
        ),
        incoming(),
        "hangup",
        ["guard.forward_loop"],
        {"ext.10": "no_answer"},
        last="return.hangup",
        expect={"guard": "loop"},
    ),
    Case(
        "forward-to-voicemail-that-is-off-hangs-up",
        make_config(extensions=[ext(1, "10", forward_no_answer=VOICEMAIL)], phone_numbers=[did("extension", 1)]),
        incoming(),
        "hangup",
        ["fwd.voicemail"],
        {"ext.10": "no_answer"},
        last="voicemail.off",
    ),
    Case(
        "forward-to-a-missing-extension-uses-the-return-action",
        make_config(
            extensions=[ext(1, "10", voicemail_enabled=True, forward_no_answer=to_extension("99"))],
            phone_numbers=[did("extension", 1)],
        ),
        incoming(),
        "voicemail",
        ["fwd.missing_target", "return.voicemail"],
        {"ext.10": "no_answer"},
    ),
    Case(
        "forward-to-external-with-active-presentation-shows-the-did",
        make_config(
            extensions=[ext(1, "10", forward_no_answer=to_external(2))],
            external_numbers=[MOBILE_ACTIVE],
            phone_numbers=[did("extension", 1)],
        ),
        incoming(),
        "answered",
        ["ring.external_active"],
        {"ext.10": "no_answer"},
        expect={"shown_number": DID},
    ),
    Case(
        "did-to-external-passive-shows-the-real-caller",
        make_config(external_numbers=[MOBILE], phone_numbers=[did("external", 1)]),
        incoming(),
        "answered",
        ["did.to_external", "ring.external_passive"],
        last="answered.external",
        expect={"shown_number": CALLER},
    ),
    Case(
        "did-to-external-passive-withheld-caller",
        make_config(external_numbers=[MOBILE], phone_numbers=[did("external", 1)]),
        incoming(caller=""),
        "answered",
        expect={"shown_number": ""},
    ),
    Case(
        "did-to-external-not-answered",
        make_config(external_numbers=[MOBILE], phone_numbers=[did("external", 1)]),
        incoming(),
        "hangup",
        ["external.no_answer"],
        {"external.1": "no_answer"},
        last="end.external_not_answered",
    ),
    Case(
        "external-with-sms-and-dtmf",
        make_config(
            external_numbers=[ExternalNumber(1, "+48221234567", dtmf="123#", sms_on_forward=True)],
            phone_numbers=[did("external", 1)],
        ),
        incoming(),
        "answered",
        ["ring.external_passive", "external.sms", "external.dtmf"],
    ),
]

QUEUE_AGENTS = [agent(1), agent(2), agent(3)]
QUEUE_EXTENSIONS = [TEN, ELEVEN, TWELVE]

QUEUE_CASES = [
    Case(
        "queue-ring-all-first-agent-answers",
        make_config(extensions=QUEUE_EXTENSIONS, queues=[queue(agents=QUEUE_AGENTS)], phone_numbers=[did("queue", 1)]),
        incoming(),
        "answered",
        ["did.to_queue", "queue.enter", "queue.ring.ringall"],
        last="answered.agent",
        expect={"answered_by.number": "10", "queue": 1},
    ),
    Case(
        "queue-all-agents-busy-times-out-and-hangs-up",
        make_config(
            extensions=QUEUE_EXTENSIONS,
            queues=[queue(agents=QUEUE_AGENTS, max_wait=120)],
            phone_numbers=[did("queue", 1)],
        ),
        incoming(),
        "hangup",
        ["queue.enter", "queue.ring.ringall", "queue.timeout"],
        {"queue.1": "nobody"},
        last="queue.timeout_hangup",
        expect={"wait_seconds": 120},
    ),
    Case(
        "queue-timeout-forwards-to-an-extension",
        make_config(
            extensions=[*QUEUE_EXTENSIONS, ext(4, "20", voicemail_enabled=True)],
            queues=[queue(agents=QUEUE_AGENTS, timeout_action="extension", timeout_extension=4)],
            phone_numbers=[did("queue", 1)],
        ),
        incoming(),
        "voicemail",
        ["queue.timeout", "queue.timeout_to_extension", "ring.extension", "fwd.own_voicemail"],
        {"queue.1": "nobody", "ext.20": "no_answer"},
        expect={"voicemail_box": "20"},
    ),
    Case(
        "queue-in-order-rings-earlier-agents-first",
        make_config(
            extensions=QUEUE_EXTENSIONS,
            queues=[queue(agents=QUEUE_AGENTS, strategy="linear", agent_ring_time=15)],
            phone_numbers=[did("queue", 1)],
        ),
        incoming(),
        "answered",
        ["queue.agent_no_answer", "queue.agent_no_answer", "queue.ring.linear_agent"],
        {"queue.1": "ext.12"},
        expect={"answered_by.number": "12", "wait_seconds": 30},
    ),
    Case(
        "queue-in-order-agent-beyond-the-maximum-wait-never-rings",
        make_config(
            extensions=QUEUE_EXTENSIONS,
            queues=[queue(agents=QUEUE_AGENTS, strategy="linear", agent_ring_time=30, max_wait=50)],
            phone_numbers=[did("queue", 1)],
        ),
        incoming(),
        "hangup",
        ["queue.too_late"],
        {"queue.1": "ext.12"},
        last="queue.timeout_hangup",
    ),
    Case(
        "queue-skips-a-switched-off-agent",
        make_config(
            extensions=[ext(1, "10", active=False), ELEVEN],
            queues=[queue(agents=[agent(1), agent(2)])],
            phone_numbers=[did("queue", 1)],
        ),
        incoming(),
        "answered",
        ["queue.agent_inactive", "queue.ring.ringall"],
        expect={"answered_by.number": "11", "options.queue.1": ("ext.11", "nobody")},
    ),
    Case(
        "queue-without-agents-waits-the-maximum",
        make_config(queues=[queue(max_wait=60)], phone_numbers=[did("queue", 1)]),
        incoming(),
        "hangup",
        ["queue.no_agents"],
        last="queue.timeout_hangup",
        expect={"wait_seconds": 60},
    ),
    Case(
        "queue-external-agent-with-active-presentation",
        make_config(
            external_numbers=[MOBILE_ACTIVE],
            queues=[queue(agents=[agent(2, "external")])],
            phone_numbers=[did("queue", 1)],
        ),
        incoming(),
        "answered",
        expect={"answered_by.number": MOBILE_ACTIVE.number, "shown_number": DID},
    ),
    Case(
        "queue-includes-an-agent-logged-in-by-code",
        make_config(
            extensions=QUEUE_EXTENSIONS,
            queues=[queue(agents=[agent(1), agent(2, dynamic=True)])],
            phone_numbers=[did("queue", 1)],
        ),
        incoming(),
        "answered",
        {},
        {"queue.1": "ext.11"},
        expect={"answered_by.number": "11"},
    ),
]

CALLER_10 = ext(1, "10", name="Sekretariat", caller_id=DID)

OUTGOING_CASES = [
    Case(
        "outgoing-landline-shows-the-account-number",
        make_config(extensions=[CALLER_10]),
        dial("94 340 11 29"),
        "answered",
        ["call.dialled", "out.rate_ok", "out.presentation", "ring.called"],
        last="answered.called",
        expect={"shown_number": DID, "answered_by.number": "+48943401129"},
    ),
    Case(
        "outgoing-withheld-number",
        make_config(extensions=[ext(1, "10")]),
        dial("600100200"),
        "answered",
        ["out.presentation_withheld"],
        expect={"shown_number": ""},
    ),
    Case(
        "international-call-refused-for-the-extension",
        make_config(extensions=[ext(1, "10", international="deny")]),
        dial("+49301234567"),
        "refused",
        last="out.international_denied",
    ),
    Case(
        "international-call-allowed-by-the-global-permission",
        make_config(extensions=[ext(1, "10")]),
        dial("0049301234567"),
        "answered",
        ["out.international_global", "out.rate_ok"],
    ),
    Case(
        "international-call-refused-by-the-global-permission",
        make_config(extensions=[ext(1, "10")], international_allowed=False),
        dial("+49301234567"),
        "refused",
        last="out.international_global_denied",
    ),
    Case(
        "international-allowed-by-the-extension-despite-global",
        make_config(extensions=[ext(1, "10", international="allow")], international_allowed=False),
        dial("+49301234567"),
        "answered",
        ["out.international_allowed"],
    ),
    Case(
        "call-above-the-global-max-rate-refused",
        make_config(extensions=[ext(1, "10")]),
        dial("+8613912345678"),
        "refused",
        last="out.rate_too_high",
    ),
    Case(
        "call-above-the-own-max-rate-refused",
        make_config(extensions=[ext(1, "10", max_rate=Decimal("0.05"))]),
        dial("600100200"),
        "refused",
        last="out.rate_too_high",
    ),
    Case(
        "call-exactly-at-the-own-max-rate-allowed",
        make_config(extensions=[ext(1, "10", max_rate=Decimal("0.05"))]),
        dial("221234567"),
        "answered",
        ["out.rate_ok"],
    ),
    Case(
        "own-max-rate-above-the-global-allows-expensive-calls",
        make_config(extensions=[ext(1, "10", max_rate=Decimal("2.00"))]),
        dial("+8613912345678"),
        "answered",
        ["out.rate_ok"],
    ),
    Case(
        "destination-without-a-price-refused",
        make_config(extensions=[ext(1, "10")], rates=PrefixTable([Rate("+48", "Polska", Decimal("0.05"))])),
        dial("+49301234567"),
        "refused",
        last="out.no_rate",
    ),
    Case(
        "outgoing-pin-right",
        make_config(extensions=[ext(1, "10", outgoing_pin="1234")]),
        dial("221234567"),
        "answered",
        ["out.pin", "ring.called"],
    ),
    Case(
        "outgoing-pin-wrong-refused",
        make_config(extensions=[ext(1, "10", outgoing_pin="1234")]),
        dial("221234567"),
        "refused",
        ["out.pin"],
        {"pin.outgoing": "wrong"},
        last="out.pin_wrong",
    ),
    Case(
        "called-number-busy",
        make_config(extensions=[ext(1, "10")]),
        dial("221234567"),
        "hangup",
        answers={"called.+48221234567": "busy"},
        last="called.busy",
    ),
    Case(
        "voicemail-access-with-pin",
        make_config(extensions=[ext(1, "10", voicemail_enabled=True, voicemail_pin="1111")]),
        dial("*98"),
        "voicemail",
        ["feature.voicemail_access", "feature.voicemail_pin"],
        last="voicemail.access",
        expect={"voicemail_box": "10"},
    ),
    Case(
        "voicemail-access-wrong-pin",
        make_config(extensions=[ext(1, "10", voicemail_enabled=True, voicemail_pin="1111")]),
        dial("*98"),
        "refused",
        answers={"pin.voicemail": "wrong"},
        last="feature.voicemail_pin_wrong",
    ),
    Case(
        "voicemail-access-when-voicemail-is-off",
        make_config(extensions=[ext(1, "10")]),
        dial("*98"),
        "refused",
        last="feature.voicemail_off",
    ),
    Case(
        "queue-log-in-code",
        make_config(extensions=[ext(1, "10")], queues=[queue(number="1000")]),
        dial("1000*1"),
        "hangup",
        ["feature.queue_login"],
        last="feature.done",
    ),
    Case(
        "queue-log-in-code-when-already-logged-in",
        make_config(extensions=[ext(1, "10")], queues=[queue(number="1000", agents=[agent(1, dynamic=True)])]),
        dial("1000*1"),
        "hangup",
        ["feature.queue_login_again"],
    ),
    Case(
        "queue-log-out-code",
        make_config(extensions=[ext(1, "10")], queues=[queue(number="1000", agents=[agent(1, dynamic=True)])]),
        dial("1000*2"),
        "hangup",
        ["feature.queue_logout"],
    ),
    Case(
        "queue-log-out-code-when-not-logged-in-and-a-permanent-agent",
        make_config(extensions=[ext(1, "10")], queues=[queue(number="1000", agents=[agent(1)])]),
        dial("1000*2"),
        "hangup",
        ["feature.queue_logout_not_logged_in", "feature.queue_static_agent"],
    ),
    Case(
        "short-code-calls-the-external-number-and-sends-dtmf",
        make_config(
            extensions=[ext(1, "10")],
            external_numbers=[ExternalNumber(5, "+48111222333", "Infolinia banku", dtmf="1,2", short_code="*022#")],
        ),
        dial("*022#"),
        "answered",
        ["dial.short_code", "out.rate_ok", "ring.called", "external.dtmf"],
        expect={"answered_by.number": "+48111222333", "answered_by.kind": "external"},
    ),
    Case(
        "star-number-hash-dials-directly",
        make_config(extensions=[ext(1, "10")]),
        dial("*600100200#"),
        "answered",
        ["dial.star_number", "out.rate_ok"],
        expect={"answered_by.number": "+48600100200"},
    ),
    Case(
        "star-number-hash-with-a-bad-number",
        make_config(extensions=[ext(1, "10")]),
        dial("*123#"),
        "refused",
        last="dial.invalid_star_number",
    ),
    Case(
        "star-number-abroad-follows-the-international-permission",
        make_config(extensions=[ext(1, "10", international="deny")]),
        dial("*0049301234567#"),
        "refused",
        last="out.international_denied",
    ),
    Case(
        "internal-call-shows-the-substitute-number",
        make_config(extensions=[ext(1, "10", internal_substitute="100"), ELEVEN]),
        dial("11"),
        "answered",
        ["dial.extension", "ring.extension"],
        expect={"shown_number": "100", "answered_by.number": "11"},
    ),
    Case(
        "internal-call-follows-forwarding",
        make_config(extensions=[ext(1, "10"), ext(2, "11", voicemail_enabled=True)]),
        dial("11"),
        "voicemail",
        answers={"ext.11": "no_answer"},
        expect={"voicemail_box": "11"},
    ),
    Case(
        "forward-back-to-the-caller-counts-as-busy",
        make_config(
            extensions=[ext(1, "10"), ext(2, "11", forward_no_answer=to_extension("10"), return_action="hangup")]
        ),
        dial("11"),
        "hangup",
        ["ext.no_answer", "fwd.to_extension", "ext.is_caller", "fwd.return"],
        {"ext.11": "no_answer"},
        last="return.hangup",
        expect={"questions_keys": ["ext.11"]},
    ),
    Case(
        "own-extension-refused",
        make_config(extensions=[ext(1, "10")]),
        dial("10"),
        "refused",
        last="dial.own_extension",
    ),
    Case(
        "unknown-short-number-refused",
        make_config(extensions=[ext(1, "10")]),
        dial("12345"),
        "refused",
        last="dial.unknown",
    ),
    Case("nothing-dialled-refused", make_config(extensions=[ext(1, "10")]), dial(" "), "refused", last="dial.empty"),
    Case(
        "switched-off-caller-refused",
        make_config(extensions=[ext(1, "10", active=False)]),
        dial("221234567"),
        "refused",
        last="caller.inactive",
    ),
    Case("unknown-calling-extension-refused", make_config(), dial("221234567"), "refused", last="caller.unknown"),
    Case(
        "dial-a-queue-number",
        make_config(extensions=[TEN, ELEVEN], queues=[queue(number="1000", agents=[agent(2)])]),
        dial("1000"),
        "answered",
        ["dial.queue", "queue.enter"],
        expect={"answered_by.number": "11"},
    ),
    Case(
        "conference-internal-number-with-pin",
        make_config(extensions=[TEN], rooms=[ConferenceRoom(1, "Sala", "*7556", "4545")]),
        dial("*7556"),
        "answered",
        ["dial.conference", "conference.pin"],
        last="answered.conference",
    ),
    Case(
        "conference-wrong-pin",
        make_config(extensions=[TEN], rooms=[ConferenceRoom(1, "Sala", "*7556", "4545")]),
        dial("*7556"),
        "refused",
        answers={"pin.conference.1": "wrong", "pin.conference.1.2": "wrong", "pin.conference.1.3": "wrong"},
        last="conference.pin_wrong",
    ),
    Case(
        "conference-pin-right-at-third-attempt",
        make_config(extensions=[TEN], rooms=[ConferenceRoom(1, "Sala", "*7556", "4545")]),
        dial("*7556"),
        "answered",
        ["conference.pin", "conference.pin_retry", "conference.pin", "conference.pin_retry", "conference.pin"],
        answers={"pin.conference.1": "wrong", "pin.conference.1.2": "wrong"},
        last="answered.conference",
    ),
    Case(
        "conference-full-room-refuses-the-next-caller",
        make_config(
            extensions=[TEN], rooms=[ConferenceRoom(1, "Sala", "*7556", "4545", max_participants=15, participants=15)]
        ),
        dial("*7556"),
        "refused",
        last="conference.full",
    ),
    Case(
        "conference-did-routed-to-a-room",
        make_config(
            extensions=[TEN],
            rooms=[ConferenceRoom(1, "Sala", "*7556", "4545", participants=14)],
            phone_numbers=[did("conference", 1)],
        ),
        incoming(),
        "answered",
        ["did.to_conference", "conference.pin"],
        last="answered.conference",
    ),
]


def scheme_config(sch: Scheme, **extra) -> RoutingConfig:
    extensions = extra.pop("extensions", [TEN_VOICEMAIL, ELEVEN])
    return make_config(extensions=extensions, schemes=[sch], phone_numbers=[did("scheme", 1)], **extra)


def hours_scheme(**config) -> Scheme:
    return scheme(
        "time",
        time=node("time_condition", {"matched": "open", "unmatched": "closed"}, "Godziny", **config),
        open=node("extension", {"no_answer": "vm", "busy": "vm", "unavailable": "vm"}, "Biuro", sip_account=2),
        closed=node("voicemail", label="Po godzinach", sip_account=1),
        vm=node("voicemail", label="Poczta", sip_account=1),
    )


MENU = scheme(
    "hello",
    hello=node("announcement", {"next": "menu"}, "Powitanie", greeting="system", text="Dzień dobry"),
    menu=node(
        "ivr",
        {"1": "office", "2": "bye", "timeout": "vm", "invalid": "vm"},
        "Menu",
        options=["1", "2"],
        timeout_seconds=5,
        max_attempts=3,
    ),
    office=node("extension", {"no_answer": "vm", "busy": "bye", "unavailable": "vm"}, "Biuro", sip_account=2),
    vm=node("voicemail", label="Poczta", sip_account=1),
    bye=node("hangup", label="Do widzenia"),
)

SCHEME_CASES = [
    Case(
        "scheme-announcement-then-hang-up",
        scheme_config(scheme("a", a=node("announcement", {"next": "h"}, "Witaj"), h=node("hangup", label="Koniec"))),
        incoming(),
        "hangup",
        ["did.to_scheme", "scheme.announcement"],
        last="scheme.hangup",
        expect={"visited": ["a", "h"]},
    ),
    Case(
        "time-condition-open-on-a-working-day",
        scheme_config(hours_scheme(hours=OFFICE_HOURS, holidays=[], use_public_holidays=True)),
        incoming(at=WEDNESDAY),
        "answered",
        ["time.open"],
        expect={"answered_by.number": "11"},
    ),
    Case(
        "time-condition-closed-on-saturday-evening",
        scheme_config(hours_scheme(hours=OFFICE_HOURS, holidays=[], use_public_holidays=True)),
        incoming(at=SATURDAY_EVENING),
        "voicemail",
        ["time.closed_all_day"],
        expect={"visited": ["time", "closed"]},
    ),
    Case(
        "time-condition-closed-after-hours",
        scheme_config(hours_scheme(hours=OFFICE_HOURS, holidays=[], use_public_holidays=True)),
        incoming(at=datetime(2026, 3, 25, 16, 0)),
        "voicemail",
        ["time.closed"],
    ),
    Case(
        "public-holiday-on-a-weekday-easter-monday",
        scheme_config(hours_scheme(hours=OFFICE_HOURS, holidays=[], use_public_holidays=True)),
        incoming(at=datetime(2026, 4, 6, 10, 0)),
        "voicemail",
        ["time.public_holiday"],
    ),
    Case(
        "public-holidays-ignored-when-not-asked",
        scheme_config(hours_scheme(hours=OFFICE_HOURS, holidays=[], use_public_holidays=False)),
        incoming(at=datetime(2026, 4, 6, 10, 0)),
        "answered",
        ["time.open"],
    ),
    Case(
        "christmas-eve-is-a-holiday-from-2025",
        scheme_config(hours_scheme(hours=OFFICE_HOURS, holidays=[], use_public_holidays=True)),
        incoming(at=datetime(2026, 12, 24, 10, 0)),
        "voicemail",
        ["time.public_holiday"],
    ),
    Case(
        "own-holiday-list-on-a-weekday",
        scheme_config(hours_scheme(hours=OFFICE_HOURS, holidays=["2026-03-25"], use_public_holidays=False)),
        incoming(at=WEDNESDAY),
        "voicemail",
        ["time.holiday_list"],
    ),
    Case(
        "dst-spring-forward-day-uses-summer-time",
        # 2026-03-29 is a Sunday when clocks go 02:00 → 03:00; 07:30 UTC is 09:30 in Warsaw (UTC+2), not 08:30.
        scheme_config(hours_scheme(hours={"sun": [["09:00", "12:00"]]}, holidays=[], use_public_holidays=False)),
        incoming(at=datetime(2026, 3, 29, 7, 30, tzinfo=UTC)),
        "answered",
        ["time.open"],
    ),
    Case(
        "dst-spring-forward-day-before-opening",
        scheme_config(hours_scheme(hours={"sun": [["09:00", "12:00"]]}, holidays=[], use_public_holidays=False)),
        incoming(at=datetime(2026, 3, 29, 6, 30, tzinfo=UTC)),
        "voicemail",
        ["time.closed"],
    ),
    Case(
        "dst-autumn-day-uses-winter-time",
        # 2026-10-25: clocks go back 03:00 → 02:00; 08:30 UTC is 09:30 in Warsaw (UTC+1).
        scheme_config(hours_scheme(hours={"sun": [["09:00", "12:00"]]}, holidays=[], use_public_holidays=False)),
        incoming(at=datetime(2026, 10, 25, 8, 30, tzinfo=UTC)),
        "answered",
        ["time.open"],
    ),
    Case(
        "night-shift-past-midnight",
        scheme_config(hours_scheme(hours={"fri": [["22:00", "06:00"]]}, holidays=[], use_public_holidays=False)),
        incoming(at=datetime(2026, 3, 28, 1, 30)),  # Saturday 01:30, in Friday's night shift
        "answered",
        ["time.open"],
    ),
    Case(
        "until-midnight",
        scheme_config(hours_scheme(hours={"sat": [["12:00", "24:00"]]}, holidays=[], use_public_holidays=False)),
        incoming(at=datetime(2026, 3, 28, 23, 59)),
        "answered",
        ["time.open"],
    ),
    Case(
        "ivr-default-first-option",
        scheme_config(MENU),
        incoming(),
        "answered",
        ["scheme.announcement", "ivr.pressed", "ring.extension"],
        expect={"visited": ["hello", "menu", "office"]},
    ),
    Case(
        "ivr-key-2-hangs-up",
        scheme_config(MENU),
        incoming(),
        "hangup",
        ["ivr.pressed"],
        {"ivr.1.menu": "2"},
        last="scheme.hangup",
    ),
    Case(
        "ivr-key-not-an-option-takes-the-invalid-exit",
        scheme_config(MENU),
        incoming(),
        "voicemail",
        ["ivr.invalid"],
        {"ivr.1.menu": "7"},
    ),
    Case(
        "ivr-timeout-after-all-attempts",
        scheme_config(MENU),
        incoming(),
        "voicemail",
        ["ivr.timeout"],
        {"ivr.1.menu": "timeout"},
        expect={"wait_seconds": 15},
    ),
    Case(
        "scheme-extension-busy-exit",
        scheme_config(MENU, extensions=[TEN_VOICEMAIL, ext(2, "11", call_waiting=False)]),
        incoming(),
        "hangup",
        ["scheme.extension_exit"],
        {"ext.11": "busy"},
        last="scheme.hangup",
    ),
    Case(
        "scheme-extension-busy-with-call-waiting-takes-the-no-answer-exit",
        scheme_config(MENU),
        incoming(),
        "voicemail",
        ["ext.busy_waiting", "scheme.extension_exit"],
        {"ext.11": "busy"},
    ),
    Case(
        "scheme-extension-ignores-the-extensions-own-forwarding",
        scheme_config(MENU, extensions=[TEN_VOICEMAIL, ext(2, "11", forward_no_answer=to_extension("10"))]),
        incoming(),
        "voicemail",
        ["scheme.extension_exit"],
        {"ext.11": "no_answer"},
        expect={"voicemail_box": "10", "visited": ["hello", "menu", "office", "vm"]},
    ),
    Case(
        "scheme-queue-all-busy-takes-the-timeout-exit",
        scheme_config(
            scheme(
                "q",
                q=node("queue", {"timeout": "vm"}, "Kolejka", queue=1),
                vm=node("voicemail", label="Poczta", sip_account=1),
            ),
            queues=[queue(agents=[agent(2)], max_wait=90)],
        ),
        incoming(),
        "voicemail",
        ["queue.enter", "queue.timeout", "scheme.queue_timeout"],
        {"queue.1": "nobody"},
        expect={"wait_seconds": 90},
    ),
    Case(
        "scheme-external-passive-failed-exit",
        scheme_config(
            scheme(
                "x",
                x=node("external", {"no_answer": "vm", "failed": "h"}, "Szef", external_number=1, ring_seconds=20),
                vm=node("voicemail", label="Poczta", sip_account=1),
                h=node("hangup"),
            ),
            external_numbers=[MOBILE],
        ),
        incoming(),
        "hangup",
        ["ring.external_passive", "external.failed"],
        {"external.1": "failed"},
        last="scheme.hangup",
    ),
    Case(
        "scheme-voicemail-of-an-extension-with-voicemail-off",
        scheme_config(scheme("vm", vm=node("voicemail", label="Poczta", sip_account=2))),
        incoming(),
        "hangup",
        last="voicemail.off",
    ),
    Case(
        "scheme-unconnected-exit-hangs-up",
        scheme_config(scheme("a", a=node("announcement", {"next": None}, "Witaj"))),
        incoming(),
        "hangup",
        last="scheme.unconnected_exit",
    ),
    Case(
        "scheme-element-pointing-to-a-deleted-queue",
        scheme_config(scheme("q", q=node("queue", {"timeout": "q"}, "Kolejka", queue=99))),
        incoming(),
        "hangup",
        last="scheme.missing_object",
    ),
    Case(
        "scheme-loop-without-caller-input-is-stopped",
        scheme_config(
            scheme(
                "a",
                a=node("announcement", {"next": "b"}, "Pierwsza"),
                b=node("announcement", {"next": "a"}, "Druga"),
            )
        ),
        incoming(),
        "hangup",
        ["scheme.announcement", "scheme.announcement"],
        last="guard.loop",
        expect={"guard": "loop", "visited": ["a", "b"]},
    ),
    Case(
        "scheme-ivr-timeout-loop-is-stopped",
        scheme_config(
            scheme(
                "menu",
                menu=node("ivr", {"1": "h", "timeout": "again", "invalid": "h"}, "Menu", options=["1"]),
                again=node("announcement", {"next": "menu"}, "Nie wybrano"),
                h=node("hangup"),
            )
        ),
        incoming(),
        "hangup",
        ["ivr.timeout", "scheme.announcement"],
        {"ivr.1.menu": "timeout"},
        last="guard.loop",
        expect={"guard": "loop"},
    ),
    Case(
        "scheme-ivr-loop-with-input-comes-back-and-defaults-to-timeout",
        scheme_config(
            scheme(
                "menu",
                menu=node("ivr", {"1": "again", "timeout": "h", "invalid": "h"}, "Menu", options=["1"]),
                again=node("announcement", {"next": "menu"}, "Jeszcze raz"),
                h=node("hangup"),
            )
        ),
        incoming(),
        "hangup",
        ["ivr.pressed", "scheme.announcement", "ivr.timeout"],
        last="scheme.hangup",
        expect={"visited": ["menu", "again", "menu", "h"], "guard": None},
    ),
    Case(
        "scheme-conference-element",
        scheme_config(
            scheme("c", c=node("conference", label="Sala", room=1)), rooms=[ConferenceRoom(1, "Sala", "*7556")]
        ),
        incoming(),
        "answered",
        last="answered.conference",
    ),
]

ALL_CASES = DID_CASES + QUEUE_CASES + OUTGOING_CASES + SCHEME_CASES


def _attribute(result, path: str):
    if path == "wait_seconds":
        return result.wait_seconds
    if path == "ring_text":
        return next(render_step(step) for step in result.steps if step.code == "ring.extension")[-36:-1]
    if path == "visited":
        return result.visited_nodes()
    if path == "questions_keys":
        return [asked.question.key for asked in result.questions]
    if path.startswith("options."):
        return result.question(path.removeprefix("options.")).question.options
    value = result
    for part in path.split("."):
        value = getattr(value, part)
    return value


@pytest.mark.parametrize("case", ALL_CASES, ids=[case.id for case in ALL_CASES])
def test_routing_case(case: Case):
    result = route(case.config, case.call, ScriptedAnswers(case.answers))
    codes = codes_of(result)
    assert result.outcome == case.outcome, codes
    assert in_order(case.codes, codes), codes
    if case.last:
        assert codes[-1] == case.last, codes
    for path, expected in case.expect.items():
        assert _attribute(result, path) == expected, (path, codes)
    # Every step renders as a sentence without a leftover placeholder.
    for step in result.steps:
        text = render_step(step)
        assert text != step.code and "%(" not in text, step


def test_every_answer_used_is_reported_with_its_question():
    config = scheme_config(MENU)
    result = route(config, incoming(), ScriptedAnswers({"ivr.1.menu": "1", "ext.11": "no_answer"}))
    asked = {item.question.key: (item.answer, item.defaulted) for item in result.questions}
    assert asked == {"ivr.1.menu": ("1", False), "ext.11": ("no_answer", False)}
    ivr = result.question("ivr.1.menu").question
    assert ivr.options == ("1", "2", "invalid", "timeout")


def test_an_answer_that_is_not_an_option_falls_back_to_the_default():
    config = scheme_config(MENU)
    result = route(config, incoming(), ScriptedAnswers({"ext.11": "maybe"}))
    asked = result.question("ext.11")
    assert (asked.answer, asked.defaulted) == ("answer", True)
    assert result.outcome == "answered"


def test_repeated_questions_get_numbered_keys():
    sch = scheme(
        "menu",
        menu=node("ivr", {"1": "office", "timeout": "h", "invalid": "h"}, "Menu", options=["1"]),
        office=node("extension", {"no_answer": "menu", "busy": "menu", "unavailable": "menu"}, sip_account=2),
        h=node("hangup"),
    )
    answers = {"ivr.1.menu": "1", "ext.11": "no_answer", "ivr.1.menu.2": "1", "ext.11.2": "busy"}
    result = route(scheme_config(sch), incoming(), ScriptedAnswers(answers))
    keys = [asked.question.key for asked in result.questions]
    assert keys == ["ivr.1.menu", "ext.11", "ivr.1.menu.2", "ext.11.2", "ivr.1.menu.3"]
    assert result.question("ivr.1.menu.3").answer == "timeout"  # repeated menus default to "presses nothing"
    assert result.outcome == "hangup" and result.guard is None


def test_a_caller_who_keeps_pressing_keys_is_stopped_by_the_step_limit():
    sch = scheme(
        "menu",
        menu=node("ivr", {"1": "again", "timeout": "h", "invalid": "h"}, "Menu", options=["1"]),
        again=node("announcement", {"next": "menu"}, "Jeszcze raz"),
        h=node("hangup"),
    )

    class AlwaysOne(ScriptedAnswers):
        def answer(self, question):
            return "1"

    result = route(scheme_config(sch), incoming(), AlwaysOne({}), max_steps=50)
    assert result.guard == "step_limit"
    assert len(result.steps) == 50
    assert result.final.code == "guard.step_limit"
    assert result.outcome == "hangup"


def test_a_scheme_can_be_traced_without_a_phone_number():
    config = scheme_config(MENU)
    result = route(config, IncomingCall(did=None, scheme=1, at=WEDNESDAY, caller=CALLER))
    assert result.steps[0].code == "call.scheme"
    assert result.visited_nodes(1) == ["hello", "menu", "office"]


def test_a_damaged_graph_never_crashes_the_engine():
    broken = [
        {},
        {"start": "x", "nodes": {}},
        {"start": "a", "nodes": {"a": "not a dict"}},
        {"start": "a", "nodes": {"a": {"type": "teleport", "exits": {}}}},
        {"start": "a", "nodes": {"a": {"type": "ivr", "config": {"options": "12"}, "exits": {"timeout": "a"}}}},
        {"start": "a", "nodes": {"a": {"type": "time_condition", "config": {"hours": "always"}, "exits": None}}},
        {"start": "a", "nodes": {"a": {"type": "extension", "config": {"sip_account": "x"}, "exits": {}}}},
    ]
    for graph_data in broken:
        result = route(scheme_config(Scheme(1, "Zepsuty", graph_data)), incoming())
        assert result.outcome in ("hangup", "refused"), graph_data


def test_the_engine_runs_without_django():
    code = (
        "import sys; import pbx.routing, pbx.routing.reasons, pbx.routing.testing, pbx.routing.holidays; "
        "assert not [name for name in sys.modules if name.split('.')[0] == 'django'], 'django imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
