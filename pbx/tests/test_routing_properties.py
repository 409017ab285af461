"""Property-based tests of the routing engine on random valid scheme graphs (hypothesis, no database).

The strategy builds graphs the way the editor's validator accepts them (see
pbx/schemes/spec.py): every exit is connected, every element is reachable
from the start, every referenced object exists, and a loop always passes
through an IVR menu (elements other than IVR menus only point "forward" in a
random order, or at an IVR menu). Whatever the callers and phones answer,
the call must end, and no element may be reached twice without the caller
pressing a key in between.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pbx.routing import (
    MAX_STEPS,
    Answers,
    ConferenceRoom,
    Extension,
    ExternalNumber,
    IncomingCall,
    Queue,
    QueueAgent,
    RandomAnswers,
    Scheme,
    StepKind,
    route,
)
from pbx.routing.model import PhoneNumber
from pbx.routing.reasons import render_step
from pbx.routing.testing import CALLER, DID, make_config
from pbx.schemes.spec import DIGITS, NODE_TYPES, exit_names

pytestmark = pytest.mark.smoke

EXTENSIONS = [
    Extension(1, "10", "Sekretariat", voicemail_enabled=True),
    Extension(2, "11", "Biuro", call_waiting=False),
    Extension(3, "12", "Magazyn", active=False, voicemail_enabled=True),
]
EXTERNALS = [
    ExternalNumber(1, "+48600700800", presentation="passive"),
    ExternalNumber(2, "+48221234567", presentation="active", dtmf="1#"),
]
QUEUES = [
    Queue(1, "Obsługa", "1000", agents=(QueueAgent("extension", 1), QueueAgent("external", 1))),
    Queue(2, "Pusta", "2000", strategy="linear", max_wait=30),
]
ROOMS = [ConferenceRoom(1, "Sala", "*7556", "4545")]
OBJECT_IDS = {"sip_account": [1, 2, 3], "external_number": [1, 2], "queue": [1, 2], "room": [1]}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TIMES = ["00:00", "06:00", "08:00", "12:30", "16:00", "22:00", "24:00"]


@st.composite
def element_config(draw, kind: str) -> dict:
    if kind == "announcement":
        return {"greeting": "system", "text": draw(st.sampled_from(["", "Dzień dobry"]))}
    if kind == "ivr":
        options = draw(st.lists(st.sampled_from(DIGITS), unique=True, max_size=4))
        return {
            "prompt": "system",
            "options": options,
            "timeout_seconds": draw(st.integers(1, 60)),
            "max_attempts": draw(st.integers(1, 5)),
        }
    if kind == "time_condition":
        hours = {
            day: draw(st.lists(st.tuples(st.sampled_from(TIMES), st.sampled_from(TIMES)).map(list), max_size=2))
            for day in WEEKDAYS
        }
        holidays = draw(st.lists(st.dates().map(lambda day: day.isoformat()), max_size=3))
        return {"hours": hours, "holidays": holidays, "use_public_holidays": draw(st.booleans())}
    if kind in ("extension", "external"):
        key = "sip_account" if kind == "extension" else "external_number"
        return {key: draw(st.sampled_from(OBJECT_IDS[key])), "ring_seconds": draw(st.integers(5, 300))}
    if kind == "queue":
        return {"queue": draw(st.sampled_from(OBJECT_IDS["queue"]))}
    if kind == "voicemail":
        return {"sip_account": draw(st.sampled_from(OBJECT_IDS["sip_account"]))}
    if kind == "conference":
        return {"room": 1}
    return {}


@st.composite
def valid_graphs(draw) -> dict:
    """A connected graph valid per the spec, with every loop passing through an IVR menu."""
    size = draw(st.integers(1, 14))
    kinds = [draw(st.sampled_from(sorted(NODE_TYPES))) for _ in range(size)] + ["hangup"]
    ids = [f"n{index}" for index in range(len(kinds))]
    ivrs = [ids[index] for index, kind in enumerate(kinds) if kind == "ivr"]
    nodes = {}
    for index, kind in enumerate(kinds):
        node = {"type": kind, "label": f"{kind} {index}", "config": draw(element_config(kind)), "exits": {}}
        forward = ids[index + 1 :]
        targets = ids if kind == "ivr" else forward + ivrs
        for name in exit_names(node):
            if not targets:
                node["exits"][name] = ids[-1]
            else:  # mostly the next element, so that calls walk deep into the graph
                nearby = [ids[index + 1]] if index + 1 < len(ids) else targets
                node["exits"][name] = draw(st.sampled_from(targets) | st.sampled_from(nearby))
        nodes[ids[index]] = node
    # Keep the part reachable from the start, as the validator refuses unreachable elements.
    reachable, stack = set(), [ids[0]]
    while stack:
        current = stack.pop()
        if current not in reachable:
            reachable.add(current)
            stack.extend(nodes[current]["exits"].values())
    return {"start": ids[0], "nodes": {key: value for key, value in nodes.items() if key in reachable}}


calls = st.builds(
    lambda offset, caller: IncomingCall(did=DID, at=datetime(2026, 1, 1) + timedelta(minutes=offset), caller=caller),
    st.integers(0, 2 * 365 * 24 * 60),
    st.sampled_from([CALLER, ""]),
)


def config_for(graph: dict):
    return make_config(
        extensions=EXTENSIONS,
        external_numbers=EXTERNALS,
        queues=QUEUES,
        rooms=ROOMS,
        schemes=[Scheme(1, "Losowy", graph)],
        phone_numbers=[PhoneNumber(1, DID, route_kind="scheme", route_target=1)],
    )


def assert_well_formed(result) -> None:
    assert 0 < len(result.steps) <= MAX_STEPS
    finals = [step for step in result.steps if step.kind in StepKind.FINAL]
    assert finals == [result.final], "exactly one final step, and it is the last"
    assert result.outcome in (StepKind.ANSWERED, StepKind.VOICEMAIL, StepKind.HANGUP, StepKind.REFUSED)
    if result.outcome == StepKind.ANSWERED:
        assert result.answered_by is not None
    if result.outcome == StepKind.VOICEMAIL:
        assert result.voicemail_box is not None
    # No element twice without the caller pressing a key in between.
    since_input: set[str] = set()
    for visit in result.visited:
        assert visit.node not in since_input, [(v.node, v.caller_input) for v in result.visited]
        since_input.add(visit.node)
        if visit.caller_input:
            since_input = set()
    for step in result.steps:
        assert "%(" not in render_step(step)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graph=valid_graphs(), call=calls, seed=st.integers(0, 2**32 - 1))
def test_random_answers_always_end_the_call(graph, call, seed):
    result = route(config_for(graph), call, RandomAnswers(random.Random(seed)))
    assert_well_formed(result)
    assert set(result.visited_nodes()) <= set(graph["nodes"])
    assert result.visited_nodes()[0] == graph["start"]


@settings(max_examples=100, deadline=None)
@given(graph=valid_graphs(), call=calls)
def test_default_answers_end_the_call_without_the_step_limit(graph, call):
    result = route(config_for(graph), call, Answers())
    assert_well_formed(result)
    assert result.guard != "step_limit"


@settings(max_examples=100, deadline=None)
@given(graph=valid_graphs(), call=calls, seed=st.integers(0, 2**32 - 1))
def test_the_same_answers_give_the_same_route(graph, call, seed):
    first = route(config_for(graph), call, RandomAnswers(random.Random(seed)))
    second = route(config_for(graph), call, RandomAnswers(random.Random(seed)))
    assert [(step.code, step.node) for step in first.steps] == [(step.code, step.node) for step in second.steps]


@settings(max_examples=100, deadline=None)
@given(graph=valid_graphs(), call=calls, seed=st.integers(0, 2**32 - 1))
def test_a_caller_who_never_presses_a_key_never_sees_an_element_twice(graph, call, seed):
    rng = random.Random(seed)

    class NoKeys(RandomAnswers):
        def answer(self, question):
            return "timeout" if question.kind == "ivr" else super().answer(question)

    result = route(config_for(graph), call, NoKeys(rng))
    assert_well_formed(result)
    nodes = result.visited_nodes()
    assert len(nodes) == len(set(nodes))
    assert result.guard != "step_limit"
