"""Call records as a PBX sends them, for the ingestion, API and rating tests."""

from __future__ import annotations

import copy
import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

WARSAW = ZoneInfo("Europe/Warsaw")
START = datetime(2025, 1, 31, 10, 15, tzinfo=WARSAW)
_numbers = itertools.count(1)


def iso(moment: datetime) -> str:
    return moment.isoformat()


def leg(kind: str, source: str, destination: str, *, talk: int | None, ring: int = 5, start: datetime = START) -> dict:
    """A leg that rang `ring` seconds and then talked `talk` seconds (None: not answered)."""
    answer = start + timedelta(seconds=ring) if talk is not None else None
    end = (answer + timedelta(seconds=talk)) if answer else start + timedelta(seconds=ring)
    return {"kind": kind, "from": source, "to": destination, "start": iso(start), "answer": answer and iso(answer),
            "end": iso(end)}  # fmt: skip


def call_payload(
    *,
    call_id: str | None = None,
    direction: str = "out",
    caller: str = "10",
    callee: str = "+48501222333",
    talk: int | None = 132,
    legs: list[dict] | None = None,
    **extra,
) -> dict:
    """A whole call record; by default extension 10 calls a Polish mobile for 2 min 12 s."""
    if legs is None:
        legs = [leg("outbound", "+48943401128", callee, talk=talk)]
    first, last = legs[0], legs[-1]
    answer = next((item["answer"] for item in legs if item["answer"]), None)
    payload = {
        "call_id": call_id or f"pbx-call-{next(_numbers)}",
        "start": first["start"],
        "answer": answer,
        "end": max(item["end"] for item in legs) if legs else last["end"],
        "direction": direction,
        "caller": caller,
        "callee": callee,
        "extension": "10",
        "queue": "",
        "disposition": "answered" if answer else "no_answer",
        "legs": legs,
    }
    payload.update(extra)
    return copy.deepcopy(payload)


def incoming(*, forward_to: str | None = None, talk: int = 60, **extra) -> dict:
    legs = [leg("inbound", "+48221234567", "+48943401128", talk=talk)]
    if forward_to:
        legs.append(leg("forward", "+48943401128", forward_to, talk=talk))
    return call_payload(direction="in", caller="+48221234567", callee="+48943401128", legs=legs, **extra)


def internal(**extra) -> dict:
    return call_payload(
        direction="local", caller="10", callee="11", legs=[leg("internal", "10", "11", talk=300)], **extra
    )


def callback(*, employee: str, target: str, employee_talk: int, target_talk: int, **extra) -> dict:
    legs = [
        leg("callback_employee", "+48943401128", employee, talk=employee_talk, ring=3),
        leg("callback_target", employee, target, talk=target_talk, ring=8),
    ]
    return call_payload(direction="out", caller=employee, callee=target, legs=legs, **extra)
