"""Background jobs of the simulator: the audio of a day of simulated calls, and callers leaving teleconferences.

`simulate_traffic --background-audio` stores the call records at once and
leaves the slow part, checking and storing each MP3 (the ingestion decodes it
with ffmpeg), to the worker: one job per simulated day. The job takes the
customer's id and the calls' data, rebuilds the same MP3s (the same call
always gets the same bytes) and goes through the same entry points; it is
idempotent like them, so a retry stores nothing twice.

The teleconference simulator (simulator.conferences, `simulate_conference`)
schedules its callers' hang-ups here: a dialled-out participant's leave event
and call record, a caller who dialled in leaving. Both are idempotent too.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from datetime import datetime

from conferences.selectors import room_by_number
from panel.jobqueue import QUEUE_HIGH, QUEUE_LOW, background_job
from panel.models import Customer
from simulator.emit import ServiceEmitter
from simulator.traffic import RecordingUpload, VoicemailEvent

logger = logging.getLogger(__name__)


@background_job(queue=QUEUE_LOW, timeout=900, retries=2)
def simulated_audio(customer_id: int, recordings: list[dict], voicemails: list[dict]) -> dict[str, int]:
    """Send the recordings and voicemail messages of simulated calls (fields of RecordingUpload / VoicemailEvent,
    times as ISO 8601); returns how many of each outcome."""
    from simulator.runner import AUDIO_WORKERS, send_audio

    customer = Customer.objects.get(pk=customer_id)
    events = [
        ("recording", RecordingUpload(**{**fields, "start": datetime.fromisoformat(fields["start"])}))
        for fields in recordings
    ] + [
        ("voicemail", VoicemailEvent(**{**fields, "received_at": datetime.fromisoformat(fields["received_at"])}))
        for fields in voicemails
    ]
    outcomes: Counter[str] = Counter()
    workers = min(AUDIO_WORKERS, os.cpu_count() or 1)
    for (kind, data), emitted in send_audio(ServiceEmitter(customer), events, workers=workers):
        outcomes[f"{kind} {emitted.outcome}"] += 1
        if emitted.message:
            call_id = data.call_id if kind == "recording" else data.message_id
            logger.info("simulated %s %s: %s %s", kind, call_id, emitted.outcome, emitted.message)
    return dict(outcomes)


@background_job(queue=QUEUE_HIGH, timeout=60, retries=3, retry_intervals=(5, 30, 120))
def simulated_hang_up(customer_id: int, call: dict) -> str:
    """The simulator's end of a dialled-out participant's call: the leave event and the call record."""
    from simulator.conferences import hang_up

    customer = Customer.objects.get(pk=customer_id)
    return hang_up(customer=customer, call=call)


@background_job(queue=QUEUE_HIGH, timeout=60, retries=3, retry_intervals=(5, 30, 120))
def simulated_leave(customer_id: int, room_number: str, channel: str) -> str:
    """The simulator's caller who dialled in hangs up (idempotent: the leave event id is fixed per channel)."""
    from simulator.conferences import simulate_leave

    customer = Customer.objects.get(pk=customer_id)
    room = room_by_number(customer=customer, number=room_number)
    if room is None:
        return "room gone"
    simulate_leave(customer=customer, room=room, channel=channel)
    return "left"
