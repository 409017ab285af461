"""Running the traffic simulator for one customer: plan the days, route the calls, emit their events, count.

`simulate_traffic` is what `manage.py simulate_traffic` and bench/simulator.py
call. For each day (oldest first) it routes the day's calls and sends their
call records (and the SMS a forward triggers) in one transaction, then their
recordings and voicemail messages. Calls that have not ended yet (today,
later than now) are left for a later run: ids are derived from (customer,
seed, day, index), so running again adds what is missing and duplicates
nothing.

History stays consistent when the routing changed between two runs: a call
stored before is never told again, so a call answered then does not also
leave a voicemail message now (its recording and message are sent only
when the stored record tells the same story). A voicemail message is
e-mailed only when it was left in the last minutes before `now`, never for
backdated history. With `once`, a customer who already has simulated calls
of this seed gets nothing new: the demo's history is generated once per
database (`make run` starts with it).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from billing.models import CallRecord
from billing.selectors import service_active
from panel.models import Customer
from pbx.models.sms import SmsPurpose
from pbx.numbering import format_number
from pbx.selectors.routing import load_config
from pbx.sms import send_sms
from simulator import audio
from simulator.emit import Emitted, Outcome, ServiceEmitter
from simulator.traffic import (
    DIRECTION,
    WARSAW,
    Parties,
    RecordingUpload,
    SimulatedCall,
    VoicemailEvent,
    call_id_prefix,
    plan_day,
    play,
)

RECORDING_SERVICE = "recording"
DISPOSITIONS = ("answered", "voicemail", "no_answer", "busy", "failed", "refused")
MAX_NOTES = 10
LIVE_WINDOW = timedelta(minutes=10)  # a message left this long before `now` or less is news: it is e-mailed
AUDIO_WORKERS = 4


@dataclass
class Summary:
    """What one run did, for the command's report and the benchmark."""

    customer: str
    seed: int
    first_day: date
    last_day: date
    calls: Counter = field(default_factory=Counter)  # (direction, disposition) -> count
    records: Counter = field(default_factory=Counter)  # Outcome -> count
    recordings: Counter = field(default_factory=Counter)
    voicemails: Counter = field(default_factory=Counter)
    sms: int = 0
    not_yet: int = 0  # calls that would end after now
    history_kept: int = 0  # with `once`: simulated calls already stored, so nothing was generated
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def call_count(self) -> int:
        return sum(self.calls.values())

    @property
    def events(self) -> int:
        """Events the entry points accepted (new or already stored) plus SMS queued."""
        handled = (Outcome.CREATED, Outcome.EXISTING)
        return (
            sum(counter[o] for counter in (self.records, self.recordings, self.voicemails) for o in handled) + self.sms
        )

    def note(self, text: str) -> None:
        if text not in self.notes and len(self.notes) < MAX_NOTES:
            self.notes.append(text)


def simulate_traffic(
    *,
    customer: Customer,
    days: int,
    calls_per_day: int,
    seed: int = 1,
    now: datetime | None = None,
    emitter=None,
    with_audio: bool = True,
    background_audio: bool = False,
    workers: int | None = None,
    once: bool = False,
) -> Summary:
    """Simulate `days` days of `customer`'s traffic up to `now` and emit every event; returns the counts.

    `background_audio` hands recordings and voicemail messages to background
    jobs (simulator.jobs) instead of sending them here; when the job queue
    cannot be reached they are sent here after all. `workers` threads send
    audio events at once (default: up to 4, one per CPU). With `once`, nothing
    is generated when the customer already has simulated calls of this seed.
    """
    workers = workers if workers is not None else min(AUDIO_WORKERS, os.cpu_count() or 1)
    started = time.perf_counter()
    now = now or timezone.now()
    last_day = now.astimezone(WARSAW).date()
    first_day = last_day - timedelta(days=days - 1)
    emitter = emitter or ServiceEmitter(customer)
    summary = Summary(customer=customer.prefix, seed=seed, first_day=first_day, last_day=last_day)
    for what, present in emitter.available().items():
        if not present:
            summary.note(f"No entry point for {what} in this installation yet: those events were skipped.")
    if background_audio and not isinstance(emitter, ServiceEmitter):
        summary.note("Background audio works with the entry points in this process only; sent over HTTP here.")
        background_audio = False
    if once:
        summary.history_kept = simulated_call_count(customer=customer, seed=seed)
        if summary.history_kept:
            summary.seconds = time.perf_counter() - started
            return summary
    config = load_config(customer=customer)
    parties = Parties.of(config)
    if not parties.kinds()[0]:
        summary.note(f"Customer {customer.prefix} has no phone numbers and no active extensions: nothing to simulate.")
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        calls = []
        for planned in plan_day(
            config, prefix=customer.prefix, seed=seed, day=day, calls_per_day=calls_per_day, parties=parties
        ):
            call = play(config, planned)
            if call.end > now:
                summary.not_yet += 1
                continue
            if call.voicemail is not None and call.voicemail.received_at >= now - LIVE_WINDOW:
                call = replace(call, voicemail=replace(call.voicemail, notify=True))
            calls.append(call)
        if getattr(emitter, "transactional", False):
            with transaction.atomic():
                calls = _emit_records(customer, emitter, calls, summary)
        else:
            calls = _emit_records(customer, emitter, calls, summary)
        if not with_audio:
            continue
        if background_audio:
            background_audio = _enqueue_audio(customer, day, calls, summary)
            if background_audio:
                continue
        _emit_audio(customer, emitter, calls, summary, workers)
    summary.seconds = time.perf_counter() - started
    return summary


def _count(counter: Counter, emitted: Emitted, summary: Summary, what: str, call_id: str) -> None:
    counter[emitted.outcome] += 1
    if emitted.outcome == Outcome.REFUSED:
        summary.note(f"{what} of {call_id} refused: {emitted.message}")


def simulated_call_count(*, customer: Customer, seed: int) -> int:
    """How many call records of `customer` the simulator stored with this seed."""
    records = CallRecord.objects.for_customer(customer)
    return records.filter(call_id__startswith=call_id_prefix(customer.prefix, seed)).count()


def _emit_records(customer: Customer, emitter, calls: list[SimulatedCall], summary: Summary) -> list[SimulatedCall]:
    """Send the calls' records (and their SMS); returns the calls whose stored record tells their story."""
    told = []
    for call in calls:
        emitted = emitter.call_record(call)
        _count(summary.records, emitted, summary, "Call record", call.call_id)
        if emitted.outcome == Outcome.DIFFERENT:
            summary.note(
                "Calls stored before with another outcome (the routing has changed since) are kept as stored; "
                "nothing more is sent about them."
            )
            continue
        summary.calls[(call.direction, call.disposition)] += 1
        told.append(call)
        for sms in call.sms:
            with translation.override(settings.LANGUAGE_CODE):
                caller = format_number(sms.caller) if sms.caller else _("Withheld number")
                text = _("Call from %(caller)s") % {"caller": caller}
            try:
                send_sms(
                    customer=customer, sender=sms.sender, to=sms.to, text=text, purpose=SmsPurpose.FORWARD, key=sms.key
                )
            except ValidationError as refused:
                summary.note(f"SMS of {call.call_id} not sent: {'; '.join(refused.messages)}")
            else:
                summary.sms += 1
    return told


AudioEvent = tuple[str, RecordingUpload | VoicemailEvent]  # ("recording" or "voicemail", its data)


def send_audio(emitter, events: list[AudioEvent], *, workers: int) -> list[tuple[AudioEvent, Emitted]]:
    """Send recordings and voicemail messages, each with its MP3; with `workers` > 1 several at once (checking an
    MP3 runs ffmpeg, which waits on another process, not on Python). A write that SQLite refuses because another
    thread is writing is tried again afterwards, alone. Returns each event with the entry point's answer."""

    def send(event: AudioEvent) -> Emitted:
        kind, data = event
        call_id = data.call_id if kind == "recording" else data.message_id
        content = audio.tone_mp3(data.seconds, variant=audio.variant_of(call_id))
        return emitter.recording(data, content) if kind == "recording" else emitter.voicemail(data, content)

    parallel = workers > 1 and len(events) > 1 and getattr(emitter, "parallel_safe", False)
    if not parallel or connection.in_atomic_block:
        return [(event, send(event)) for event in events]

    def send_in_thread(event: AudioEvent) -> Emitted | None:
        try:
            return send(event)
        except OperationalError as error:
            if "locked" not in str(error):
                raise
            return None
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="simulator-audio") as pool:
        answers = list(pool.map(send_in_thread, events))
    return [
        (event, emitted if emitted is not None else send(event)) for event, emitted in zip(events, answers, strict=True)
    ]


def _audio_events(customer: Customer, calls: list[SimulatedCall], summary: Summary) -> list[AudioEvent]:
    """The recordings (of calls made while the recording service was on) and voicemail messages of `calls`."""
    events: list[AudioEvent] = []
    for call in calls:
        upload = call.recording
        if upload is not None:
            if service_active(customer=customer, code=RECORDING_SERVICE, at=upload.start):
                events.append(("recording", upload))
            else:
                summary.recordings[Outcome.SERVICE_OFF] += 1
        if call.voicemail is not None:
            events.append(("voicemail", call.voicemail))
    return events


def _emit_audio(customer: Customer, emitter, calls: list[SimulatedCall], summary: Summary, workers: int) -> None:
    for (kind, data), emitted in send_audio(emitter, _audio_events(customer, calls, summary), workers=workers):
        if kind == "recording":
            _count(summary.recordings, emitted, summary, "Recording", data.call_id)
        else:
            _count(summary.voicemails, emitted, summary, "Voicemail message", data.message_id)


def _enqueue_audio(customer: Customer, day: date, calls: list[SimulatedCall], summary: Summary) -> bool:
    """Queue the day's audio events as one job; False (and a note) when the job queue cannot be reached."""
    from panel.jobqueue import enqueue_now
    from simulator.jobs import simulated_audio

    off = summary.recordings[Outcome.SERVICE_OFF]
    events = _audio_events(customer, calls, summary)
    recordings = [{**asdict(data), "start": data.start.isoformat()} for kind, data in events if kind == "recording"]
    voicemails = [
        {**asdict(data), "received_at": data.received_at.isoformat()} for kind, data in events if kind == "voicemail"
    ]
    if events:
        job_id = f"sim-audio-{customer.prefix}-s{summary.seed}-{day:%Y%m%d}"
        try:
            enqueue_now(simulated_audio, customer.pk, recordings, voicemails, job_id=job_id)
        except Exception as failure:  # Redis down or unreachable: the events are sent here instead
            summary.recordings[Outcome.SERVICE_OFF] = off  # counted again when sent here
            summary.note(f"The job queue is unreachable ({failure}); recordings and voicemail messages sent here.")
            return False
    summary.recordings[Outcome.QUEUED] += len(recordings)
    summary.voicemails[Outcome.QUEUED] += len(voicemails)
    return True


def format_summary(summary: Summary) -> str:
    """The report the command prints: calls by direction and result, events, time taken."""
    rate = summary.call_count / summary.seconds if summary.seconds else 0.0
    lines = [
        f"Simulated traffic of {summary.customer} (seed {summary.seed}), {summary.first_day} – {summary.last_day}: "
        f"{summary.call_count} calls in {summary.seconds:.1f} s ({rate:.0f} calls/s)."
    ]
    header = f"  {'':10}" + "".join(f"{name:>11}" for name in (*DISPOSITIONS, "total"))
    lines.append(header)
    for kind, direction in DIRECTION.items():
        row = [summary.calls[(direction, disposition)] for disposition in DISPOSITIONS]
        lines.append(f"  {kind:10}" + "".join(f"{value:>11}" for value in (*row, sum(row))))
    totals = [sum(summary.calls[(d, disposition)] for d in DIRECTION.values()) for disposition in DISPOSITIONS]
    lines.append(f"  {'total':10}" + "".join(f"{value:>11}" for value in (*totals, sum(totals))))

    def outcomes(counter: Counter) -> str:
        words = {
            Outcome.CREATED: "new",
            Outcome.EXISTING: "already stored",
            Outcome.DIFFERENT: "stored before with another outcome (kept as stored)",
            Outcome.SERVICE_OFF: "not recorded (recording service off)",
            Outcome.REFUSED: "refused",
            Outcome.UNAVAILABLE: "skipped (no entry point)",
            Outcome.QUEUED: "queued for the background worker",
        }
        parts = [f"{counter[key]} {word}" for key, word in words.items() if counter[key]]
        return ", ".join(parts) or "none"

    if summary.history_kept:
        lines.append(
            f"  History kept: {summary.history_kept} simulated calls are stored already (generated once per "
            "database); nothing replayed."
        )
    lines.append(f"  Call records: {outcomes(summary.records)}")
    lines.append(f"  Recordings: {outcomes(summary.recordings)}")
    lines.append(f"  Voicemail messages: {outcomes(summary.voicemails)}")
    lines.append(f"  SMS on forwards: {summary.sms}")
    if summary.not_yet:
        lines.append(f"  Not ended yet (left for a later run): {summary.not_yet}")
    lines.extend(f"  Note: {note}" for note in summary.notes)
    return "\n".join(lines)
