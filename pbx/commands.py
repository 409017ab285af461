"""The PBX command interface: what the panel asks the telephone exchange to do, e.g. place a call.

    from pbx.commands import originate
    result = originate(customer=c, from_number="+48601222333", to_number="+48111222333",
                       caller_id="+48221234567", purpose="callback",
                       on_answer_announcement="proszę czekać na połączenie")

`originate` calls `from_number` first (the employee), plays the announcement
when answered, then calls `to_number` and bridges the two. With
`purpose="conference"`, `from_number` is a teleconference room's internal
number (*NN): the exchange calls `to_number` and puts it into that room. The class named by
the `PBX_COMMANDS` setting (a dotted path, required) carries the command out. The project
settings choose it, so this module names no implementation: with no exchange behind the
panel they pick one that decides how the call goes and reports it through the same ingestion
entry points a real PBX uses. `connect` bridges a caller who dialled in (the dial-in IVR) to
a target: only the target leg is billable. `monitor` has the
exchange call a supervisor's phone (an extension or an external number) and let it listen to a live call,
or whisper to the call's agent (the other party does not hear the supervisor).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from panel.models import Customer


@dataclass(frozen=True)
class OriginateResult:
    """How a placed call went: whether each side answered, and the call id its record carries."""

    call_id: str
    first_answered: bool
    second_answered: bool
    talk_seconds: int = 0


@dataclass(frozen=True)
class MonitorResult:
    """How the monitoring leg to the supervisor's phone went: its id, and when it rang and was answered."""

    call_id: str
    answered: bool
    started_at: datetime
    answered_at: datetime | None = None
    detail: str = ""


class PbxCommands(Protocol):
    def originate(
        self,
        *,
        customer: Customer,
        from_number: str,
        to_number: str,
        caller_id: str,
        purpose: str,
        on_answer_announcement: str | None,
        call_id: str,
    ) -> OriginateResult: ...

    def connect(
        self, *, customer: Customer, caller: str, service_number: str, to_number: str, caller_id: str, call_id: str
    ) -> OriginateResult: ...

    def monitor(
        self, *, customer: Customer, call_id: str, mode: str, target: str, target_kind: str, monitor_id: str
    ) -> MonitorResult: ...


def iso_time(moment: datetime | None) -> str | None:
    """A time as the call-record API reads it (ISO 8601 with its offset); None stays None."""
    return moment.isoformat() if moment else None


def call_record_leg(
    kind: str, source: str, destination: str, start: datetime, answer: datetime | None, end: datetime
) -> dict:
    """One leg of a call record as a PBX sends it to the ingestion API (the simulated PBXes build theirs here)."""
    return {
        "kind": kind,
        "from": source,
        "to": destination,
        "start": iso_time(start),
        "answer": iso_time(answer),
        "end": iso_time(end),
    }


def connect(
    *, customer: Customer, caller: str, service_number: str, to_number: str, caller_id: str, call_id: str | None = None
) -> OriginateResult:
    """Bridge a caller already on the line (dial-in at `service_number`) to `to_number`, presenting `caller_id`.

    Only the leg to the target is billable: the caller pays their own operator for the call in.
    """
    return get_commands().connect(
        customer=customer,
        caller=caller,
        service_number=service_number,
        to_number=to_number,
        caller_id=caller_id,
        call_id=call_id or f"dialin-{uuid.uuid4().hex[:20]}",
    )


def monitor(
    *, customer: Customer, call_id: str, mode: str, target: str, target_kind: str, monitor_id: str
) -> MonitorResult:
    """Let a supervisor listen to the live call `call_id` (mode "listen") or whisper to its agent ("whisper").

    The exchange calls `target`, one of the customer's extensions (`target_kind` "extension") or an external
    number in E.164 form ("external", billed as a normal call). `monitor_id` names the monitoring leg.
    """
    return get_commands().monitor(
        customer=customer, call_id=call_id, mode=mode, target=target, target_kind=target_kind, monitor_id=monitor_id
    )


def get_commands() -> PbxCommands:
    """An instance of the configured command interface (the class named by the `PBX_COMMANDS` setting)."""
    dotted_path = getattr(settings, "PBX_COMMANDS", "")
    if not dotted_path:
        raise ImproperlyConfigured("Set PBX_COMMANDS to the dotted path of the PBX command interface.")
    return import_string(dotted_path)()


def originate(
    *,
    customer: Customer,
    from_number: str,
    to_number: str,
    caller_id: str,
    purpose: str,
    on_answer_announcement: str | None = None,
    call_id: str | None = None,
) -> OriginateResult:
    """Call `from_number`, announce, then call `to_number` and bridge them, presenting `caller_id` to both."""
    return get_commands().originate(
        customer=customer,
        from_number=from_number,
        to_number=to_number,
        caller_id=caller_id,
        purpose=purpose,
        on_answer_announcement=on_answer_announcement,
        call_id=call_id or f"{purpose}-{uuid.uuid4().hex[:20]}",
    )
