"""The PBX command interface with no exchange behind it: the default `PBX_COMMANDS` of the project settings.

pbx.commands declares what the panel asks a PBX to do (originate, connect,
monitor) and leaves the implementation to the setting. `SimulatorCommands`
carries a command out by deciding how the call goes and reporting it through
the ingestion entry points a real PBX reaches over the API: the call record
with both billable legs and, with the recording service on, the recording.
Conference dial-outs go to simulator.conferences, which plays the bridge.
"""

from __future__ import annotations

import io
import logging
import zlib
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from billing.ingestion import call_record_ingest
from billing.selectors import service_active
from panel.models import Customer
from panel.refusal import Refused
from pbx.commands import MonitorResult, OriginateResult, call_record_leg, iso_time
from recordings.ingestion import recording_ingest
from simulator.audio import tone_mp3, variant_of
from simulator.conferences import simulate_dial_out

logger = logging.getLogger(__name__)

RING_SECONDS = 5
MONITOR_RING_SECONDS = 2
ANNOUNCEMENT_SECONDS = 3


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
        if purpose == "conference":  # from_number is the room's internal number: the callee joins the room
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
        except Refused as refused:
            logger.warning("Recording of simulated call %s refused: %s", call_id, refused.message)
