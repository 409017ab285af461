"""The PBX command interface: what the panel asks the telephone exchange to do, e.g. place a call.

    from pbx.commands import originate
    result = originate(customer=c, from_number="+48601222333", to_number="+48111222333",
                       caller_id="+48221234567", purpose="callback",
                       on_answer_announcement="proszę czekać na połączenie")

`originate` calls `from_number` first (the employee), plays the announcement
when answered, then calls `to_number` and bridges the two. With
`purpose="conference"`, `from_number` is a teleconference room's internal
number (*NN): the exchange calls `to_number` and puts it into that room. The class named by
the `PBX_COMMANDS` setting (dotted path, default `pbx.commands.SimulatorCommands`)
carries the command out. The default has no exchange behind it: the traffic
simulator decides how the call goes and reports it through the same ingestion
entry points a real PBX uses (the call record with both billable legs and,
with the recording service on, the recording). `connect` bridges a caller who
dialled in (the dial-in IVR) to a target: only the target leg is billable. `monitor` has the
exchange call a supervisor's phone (an extension or an external number) and let it listen to a live call,
or whisper to the call's agent (the other party does not hear the supervisor).
"""

from __future__ import annotations

import io
import logging
import uuid
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from panel.models import Customer

logger = logging.getLogger(__name__)

DEFAULT_COMMANDS = "pbx.commands.SimulatorCommands"
RING_SECONDS = 5
MONITOR_RING_SECONDS = 2
ANNOUNCEMENT_SECONDS = 3


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


class SimulatorCommands:
    """No exchange: decides the outcome and emits the call record (and recording) through the ingestion services.

    Numbers listed in the `PBX_SIMULATOR_UNANSWERED` setting never answer; every other number answers.
    The talk time is derived from the call id, so the same call always lasts the same.
    """

    def _answers(self, number: str) -> bool:
        return number not in set(getattr(settings, "PBX_SIMULATOR_UNANSWERED", ()))

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
    ) -> OriginateResult:
        from billing.ingestion import call_record_ingest

        if purpose == "conference":  # from_number is the room's internal number: the callee joins the room
            from conferences.simulator import simulate_dial_out

            answered = self._answers(to_number)
            return simulate_dial_out(
                customer=customer,
                room_number=from_number,
                number=to_number,
                caller_id=caller_id,
                call_id=call_id,
                answered=answered,
            )
        start = timezone.now().replace(microsecond=0)
        first_answered = self._answers(from_number)
        second_answered = first_answered and self._answers(to_number)
        talk = 30 + zlib.crc32(call_id.encode()) % 240 if second_answered else 0
        first_answer = start + timedelta(seconds=RING_SECONDS) if first_answered else None
        legs_end = start + timedelta(seconds=RING_SECONDS * 6)
        if first_answered:
            second_start = first_answer + timedelta(seconds=ANNOUNCEMENT_SECONDS)
            second_answer = second_start + timedelta(seconds=RING_SECONDS) if second_answered else None
            end = (second_answer + timedelta(seconds=talk)) if second_answered else second_start + timedelta(seconds=30)
            legs = [
                call_record_leg("callback_employee", caller_id, from_number, start, first_answer, end),
                call_record_leg("callback_target", caller_id, to_number, second_start, second_answer, end),
            ]
        else:
            end = legs_end
            legs = [call_record_leg("callback_employee", caller_id, from_number, start, None, end)]
        record = {
            "call_id": call_id,
            "start": iso_time(start),
            "answer": iso_time(second_answer) if second_answered else None,
            "end": iso_time(end),
            "direction": "out",
            "caller": from_number,
            "callee": to_number,
            "disposition": "answered" if second_answered else "no_answer",
            "legs": legs,
        }
        call_record_ingest(customer=customer, payload=record)
        if second_answered:
            self._emit_recording(customer, call_id, second_answer, from_number, to_number, talk)
        logger.info("Simulated %s call %s: %s → %s", purpose, call_id, from_number, to_number)
        return OriginateResult(call_id, first_answered, second_answered, talk)

    def connect(
        self, *, customer: Customer, caller: str, service_number: str, to_number: str, caller_id: str, call_id: str
    ) -> OriginateResult:
        from billing.ingestion import call_record_ingest

        start = timezone.now().replace(microsecond=0)
        answered = self._answers(to_number)
        talk = 30 + zlib.crc32(call_id.encode()) % 240 if answered else 0
        target_start = start + timedelta(seconds=20)  # the IVR: PIN and number
        target_answer = target_start + timedelta(seconds=RING_SECONDS) if answered else None
        end = target_answer + timedelta(seconds=talk) if answered else target_start + timedelta(seconds=30)
        record = {
            "call_id": call_id,
            "start": iso_time(start),
            "answer": iso_time(target_answer) if answered else None,
            "end": iso_time(end),
            "direction": "out",
            "caller": caller,
            "callee": to_number,
            "disposition": "answered" if answered else "no_answer",
            "legs": [
                call_record_leg("inbound", caller, service_number, start, start, end),
                call_record_leg("callback_target", caller_id, to_number, target_start, target_answer, end),
            ],
        }
        call_record_ingest(customer=customer, payload=record)
        if answered:
            self._emit_recording(customer, call_id, target_answer, caller, to_number, talk)
        return OriginateResult(call_id, True, answered, talk)

    def monitor(
        self, *, customer: Customer, call_id: str, mode: str, target: str, target_kind: str, monitor_id: str
    ) -> MonitorResult:
        """Ring the supervisor's phone; the leg is reported in the monitored call's record when that call ends.

        The simulator has no channels to bridge: it decides whether the supervisor answers and says when.
        simulator.live, which plays the calls, puts the leg into the call record at the end of the call
        (kind "monitor", billable, to an external number; "internal", free, to an extension).
        """
        start = timezone.now().replace(microsecond=0)
        answered = self._answers(target)
        logger.info("Simulated %s of call %s from %s %s (leg %s)", mode, call_id, target_kind, target, monitor_id)
        return MonitorResult(
            call_id=monitor_id,
            answered=answered,
            started_at=start,
            answered_at=start + timedelta(seconds=MONITOR_RING_SECONDS) if answered else None,
        )

    def _emit_recording(
        self, customer: Customer, call_id: str, start: datetime, caller: str, callee: str, seconds: int
    ) -> None:
        from billing.selectors import service_active
        from recordings.ingestion import IngestionRefused, recording_ingest
        from simulator.audio import tone_mp3, variant_of

        if not service_active(customer=customer, code="recording", at=start):
            return
        try:
            recording_ingest(
                customer=customer,
                call_id=call_id,
                fileobj=io.BytesIO(tone_mp3(min(seconds, 20), variant=variant_of(call_id))),
                filename=f"{call_id}.mp3",
                started_at=start,
                direction="out",
                caller=caller,
                callee=callee,
            )
        except IngestionRefused as refused:
            logger.warning("Recording of simulated call %s refused: %s", call_id, refused.message)


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
    """An instance of the configured command interface (`PBX_COMMANDS`, default the simulator)."""
    return import_string(getattr(settings, "PBX_COMMANDS", "") or DEFAULT_COMMANDS)()


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
