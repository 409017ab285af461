"""Benchmark of the routing engine: routes per second through a 50-element scheme, next to a bare Python loop.

The scheme (pbx.routing.testing.chain_scheme) makes a call walk through every
element: announcements, time conditions, IVR menus and extensions that do not
answer, ending in a voicemail box. The baseline walks the same elements by
following the same exits in a plain loop over the graph's dicts, so the ratio
shows what the engine's rules, questions and reasons cost per call.

Run: `make bench` or `.venv/bin/python bench/routing.py [seconds per measurement]`.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pbx.routing import Extension, IncomingCall, KindAnswers, PhoneNumber, route  # noqa: E402
from pbx.routing.reasons import render_step  # noqa: E402
from pbx.routing.testing import CALLER, DID, chain_scheme, make_config  # noqa: E402

ELEMENTS = 50


def measure(function, seconds: float) -> tuple[float, int]:
    """Calls per second of `function` over about `seconds`, and how many calls that was."""
    calls = 0
    started = time.perf_counter()
    deadline = started + seconds
    while True:
        for _ in range(50):
            function()
        calls += 50
        now = time.perf_counter()
        if now >= deadline:
            return calls / (now - started), calls


def main(seconds: float = 3.0) -> None:
    scheme = chain_scheme(ELEMENTS)
    config = make_config(
        extensions=[Extension(1, "10", "Sekretariat", voicemail_enabled=True)],
        schemes=[scheme],
        phone_numbers=[PhoneNumber(1, DID, route_kind="scheme", route_target=1)],
    )
    call = IncomingCall(did=DID, at=datetime(2026, 3, 25, 10, 0), caller=CALLER)
    answers = KindAnswers({"extension": "no_answer"})

    result = route(config, call, answers)
    assert result.outcome == "voicemail", result.final
    visited = result.visited_nodes()
    assert len(visited) == ELEMENTS - 1, len(visited)  # every element but the hang-up one
    nodes = scheme.graph["nodes"]
    exits_taken = []
    for current, following in zip(visited, visited[1:], strict=False):
        exits_taken.append(next(name for name, target in nodes[current]["exits"].items() if target == following))

    def engine() -> None:
        route(config, call, answers)

    def engine_with_reasons() -> None:
        for step in route(config, call, answers).steps:
            render_step(step)

    def baseline() -> None:
        node_id = scheme.graph["start"]
        steps = []
        for exit_name in exits_taken:
            node = nodes[node_id]
            steps.append((node["type"], node_id, exit_name))
            node_id = node["exits"][exit_name]
        steps.append((nodes[node_id]["type"], node_id, None))

    engine_rate, engine_calls = measure(engine, seconds)
    reasons_rate, _ = measure(engine_with_reasons, seconds / 2)
    baseline_rate, baseline_calls = measure(baseline, seconds / 2)

    print(f"Routing engine, {ELEMENTS}-element scheme ({len(visited)} elements visited, {len(result.steps)} steps):")
    print(f"  engine.route():                 {engine_rate:12,.0f} routes/s  ({1e6 / engine_rate:8.1f} µs/route)")
    print(f"  engine.route() + reasons text:  {reasons_rate:12,.0f} routes/s  ({1e6 / reasons_rate:8.1f} µs/route)")
    print(f"  baseline: bare loop, same path: {baseline_rate:12,.0f} walks/s   ({1e6 / baseline_rate:8.1f} µs/walk)")
    print(f"  ratio engine / baseline:        {baseline_rate / engine_rate:12.1f}x slower")
    print(f"  ({engine_calls:,} routes and {baseline_calls:,} walks measured)")
    print("Simulator throughput (calls with events per second, with and without audio): measured by the simulator's")
    print("  own benchmark, written by its author; not part of bench/routing.py.")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 3.0)
