"""Taking in a call recording from the PBX: checked, converted to MP3, stored once per call.

Three entry points feed `recording_ingest`: the HTTP upload (recordings/api.py),
the spool directory (`manage.py ingest_recordings DIR`) and tests. Whatever the
entry point, the same rules hold:

- the customer's recording service must have been on when the call started
  (billing decides: included in the package or subscribed), else nothing is kept;
- the audio is recognised by its content (MP3 or WAV, never by the name) and
  decoded for real, so a renamed text file or a cut-off MP3 is refused;
- a WAV is converted to MP3 with pydub; an MP3 is stored byte for byte;
- the duration is read with mutagen from the stored MP3;
- one recording per (customer, call id): the same file again answers "already
  stored", a different file for the same call is a conflict;
- the storage writes under a temporary name and renames; the row is saved only
  after the file, and the file is deleted again if the row cannot be saved.

The audio helpers come from pbx/audio.py (format probe, truncation rule,
messages); decoding a long MP3 to check it runs ffmpeg as a stream instead of
pydub's in-memory decode, so a four-hour call does not need gigabytes of memory.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import BinaryIO

from django.db import transaction
from django.utils.translation import gettext as _
from pydub import AudioSegment

from billing import selectors as billing_selectors
from billing.models import CallRecord
from panel.models import Customer
from panel.refusal import Refused
from pbx.audio import MESSAGES as AUDIO_MESSAGES
from pbx.audio import AudioRejected, format_duration, is_truncated, mp3_duration, probe
from recordings.choices import Direction
from recordings.models import Recording
from recordings.services import recording_save
from recordings.storage import RecordingStorage, get_storage

logger = logging.getLogger("recordings.ingestion")

MAX_BYTES = 200 * 1024 * 1024
MAX_SECONDS = 4 * 60 * 60
# The announced length may exceed the limit by this much (encoder padding) before the file is refused.
LENGTH_TOLERANCE_SECONDS = 2.0
COPY_CHUNK = 1024 * 1024
DECODE_TIMEOUT_SECONDS = 15 * 60
RECORDING_SERVICE = "recording"
# MP3 (LAME) sample rates; a WAV at any other rate is resampled to 16 kHz.
MP3_SAMPLE_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)
FALLBACK_SAMPLE_RATE = 16000
BITRATE_PER_CHANNEL = 32  # kbit/s: plenty for telephone speech
CALL_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:@-]{1,64}\Z")
NUMBER_PATTERN = re.compile(r"^[A-Za-z0-9+*#_.@ -]{0,32}\Z")


@dataclass(frozen=True)
class IngestionResult:
    """The stored recording and whether this call stored it (False: the same file was stored before)."""

    recording: Recording
    created: bool


@dataclass(frozen=True)
class CallFacts:
    """What the file name and the row need to know about the call."""

    started_at: datetime
    direction: str
    caller: str
    callee: str


@dataclass(frozen=True)
class PreparedAudio:
    """An accepted recording as MP3 in the work folder, ready to be stored."""

    path: Path
    sha256: str
    duration_seconds: Decimal
    source_format: str


def recording_ingest(
    *,
    customer: Customer,
    call_id: str,
    fileobj: BinaryIO,
    filename: str = "",
    started_at: datetime | None = None,
    direction: str | None = None,
    caller: str | None = None,
    callee: str | None = None,
    storage: RecordingStorage | None = None,
) -> IngestionResult:
    """Check, convert and store one recording of `customer`'s call `call_id`; raises `Refused`.

    The call's start, direction and numbers come from the customer's call
    record when the PBX has already reported the call, else from the
    arguments. Safe to repeat: the same file again returns the stored
    recording with `created=False`.
    """
    storage = storage or get_storage()
    call_id = (call_id or "").strip()
    if not CALL_ID_PATTERN.match(call_id):
        raise Refused(Refused.INVALID, _("A call id is 1 to 64 letters, digits or . _ : @ -"), field="call_id")
    work_dir = Path(tempfile.mkdtemp(prefix="centrala-recording-"))
    try:
        upload_path, upload_sha256 = _spool(fileobj, work_dir)
        existing = _existing(customer=customer, call_id=call_id)
        if existing is not None and existing.sha256 == upload_sha256:
            return IngestionResult(existing, created=False)
        facts = _call_facts(
            customer=customer, call_id=call_id, started_at=started_at, direction=direction, caller=caller, callee=callee
        )
        if existing is None and not billing_selectors.service_active(
            customer=customer, code=RECORDING_SERVICE, at=facts.started_at
        ):
            raise Refused(
                Refused.SERVICE_OFF,
                _(
                    "The call recording service was off when this call started, so the recording is not kept. "
                    "Switch on “Call recording” in Services / Offer."
                ),
            )
        audio = prepare_audio(upload_path, work_dir)
        if existing is not None:
            return _same_or_conflict(existing, audio.sha256)
        return _store(customer=customer, call_id=call_id, facts=facts, audio=audio, storage=storage, filename=filename)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


def _spool(fileobj: BinaryIO, work_dir: Path) -> tuple[Path, str]:
    """Copy the upload to a neutral name in the work folder (size limit as it goes) and hash it."""
    target = work_dir / "upload"
    digest = hashlib.sha256()
    written = 0
    if hasattr(fileobj, "seek"):
        fileobj.seek(0)
    chunks = fileobj.chunks(COPY_CHUNK) if hasattr(fileobj, "chunks") else iter(lambda: fileobj.read(COPY_CHUNK), b"")
    with target.open("wb") as handle:
        for chunk in chunks:
            written += len(chunk)
            if written > MAX_BYTES:
                raise _audio_refused(AudioRejected(AudioRejected.TOO_LARGE, limit=MAX_BYTES // (1024 * 1024)))
            digest.update(chunk)
            handle.write(chunk)
    if written == 0:
        raise _audio_refused(AudioRejected(AudioRejected.EMPTY))
    return target, digest.hexdigest()


def _existing(*, customer: Customer, call_id: str) -> Recording | None:
    return Recording.objects.for_customer(customer).filter(call_id=call_id).order_by("pk").first()


def _call_facts(
    *,
    customer: Customer,
    call_id: str,
    started_at: datetime | None,
    direction: str | None,
    caller: str | None,
    callee: str | None,
) -> CallFacts:
    """The call record's data when the PBX reported the call already (only this customer's), else the arguments."""
    record = (
        CallRecord.objects.for_customer(customer)
        .filter(call_id=call_id)
        .values("started_at", "direction", "caller", "callee")
        .first()
    )
    if record is not None:
        return CallFacts(**record)
    missing = [
        name
        for name, value in (
            ("started_at", started_at),
            ("direction", direction),
            ("caller", caller),
            ("callee", callee),
        )
        if value in (None, "")
    ]
    if missing:
        raise Refused(
            Refused.CALL_UNKNOWN,
            _(
                "No call with this id has been reported yet: send the call's start (started_at), direction, "
                "caller and callee with the recording. Missing: %(fields)s."
            )
            % {"fields": ", ".join(missing)},
            field=missing[0],
        )
    if started_at.tzinfo is None or started_at.utcoffset() is None:
        raise Refused(
            Refused.INVALID,
            _("Give the time with its time zone, e.g. 2025-01-31T10:15:00+01:00."),
            field="started_at",
        )
    if direction not in Direction.values:
        raise Refused(Refused.INVALID, _("The direction is one of: in, out, local."), field="direction")
    for name, value in (("caller", caller), ("callee", callee)):
        if not NUMBER_PATTERN.match(value):
            raise Refused(Refused.INVALID, _("A number is up to 32 digits, letters or + * # _ . @ -"), field=name)
    return CallFacts(started_at=started_at, direction=direction, caller=caller, callee=callee)


def _audio_refused(rejected: AudioRejected) -> Refused:
    params = dict(rejected.params)
    return Refused(Refused.AUDIO, str(AUDIO_MESSAGES[rejected.code]) % params, field="file")


def prepare_audio(path: Path, work_dir: Path) -> PreparedAudio:
    """Recognise the file by its content, check that it decodes in full, and give an MP3 of it.

    A WAV is converted with pydub; an MP3 is kept as it is. Raises
    `Refused` (AUDIO) for anything else, for a damaged or cut-off
    file and for a recording longer than four hours.
    """
    try:
        found = probe(path)
        if found.duration_seconds > MAX_SECONDS + LENGTH_TOLERANCE_SECONDS:
            raise _too_long(found.duration_seconds)
        if found.format == "wav":
            output = _convert_wav(path, work_dir, announced_seconds=found.duration_seconds)
        else:
            decoded = decoded_seconds(path)
            if is_truncated(announced_seconds=found.duration_seconds, decoded_seconds=decoded):
                raise AudioRejected(AudioRejected.DAMAGED)
            output = path
        duration = mp3_duration(output)
    except AudioRejected as rejected:
        raise _audio_refused(rejected) from rejected
    except Exception as error:  # mutagen on a hostile MP3 after decoding passed: still refused, never a 500
        logger.info("recording audio refused: %s", error)
        raise _audio_refused(AudioRejected(AudioRejected.DAMAGED)) from error
    if duration > MAX_SECONDS + LENGTH_TOLERANCE_SECONDS:
        raise _audio_refused(_too_long(duration))
    return PreparedAudio(
        path=output,
        sha256=_sha256(output),
        duration_seconds=Decimal(str(duration)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP),
        source_format=found.format,
    )


def _too_long(seconds: float) -> AudioRejected:
    return AudioRejected(
        AudioRejected.TOO_LONG,
        duration=format_duration(seconds, rounding=math.ceil),
        limit=format_duration(MAX_SECONDS),
    )


def decoded_seconds(path: Path) -> float:
    """How much audio ffmpeg (pydub's converter) actually decodes from the file, streamed and thrown away."""
    command = [
        AudioSegment.converter,
        "-nostdin",
        "-hide_banner",
        "-v",
        "error",
        "-i",
        str(path),
        "-map",
        "0:a:0",
        "-f",
        "null",
        "-progress",
        "pipe:1",
        "-nostats",
        "-",
    ]
    try:
        result = subprocess.run(command, capture_output=True, timeout=DECODE_TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        logger.warning("could not decode %s: %s", path, error)
        raise AudioRejected(AudioRejected.DAMAGED) from error
    if result.returncode != 0:
        raise AudioRejected(AudioRejected.DAMAGED)
    microseconds = [
        int(line.split(b"=", 1)[1])
        for line in result.stdout.splitlines()
        if line.startswith(b"out_time_us=") and line.split(b"=", 1)[1].strip().isdigit()
    ]
    if not microseconds or microseconds[-1] <= 0:
        raise AudioRejected(AudioRejected.DAMAGED)
    return microseconds[-1] / 1_000_000


def _convert_wav(path: Path, work_dir: Path, *, announced_seconds: float) -> Path:
    """The WAV as MP3 (pydub): same channels (at most two), a sample rate MP3 allows, 32 kbit/s per channel."""
    try:
        segment = AudioSegment.from_file(str(path), format="wav")
    except Exception as error:  # pydub surfaces ffmpeg's and its own parser's failures as several types
        logger.info("could not decode WAV %s: %s", path, error)
        raise AudioRejected(AudioRejected.DAMAGED) from error
    if len(segment) == 0:
        raise AudioRejected(AudioRejected.DAMAGED)
    if is_truncated(announced_seconds=announced_seconds, decoded_seconds=len(segment) / 1000):
        raise AudioRejected(AudioRejected.DAMAGED)
    channels = min(segment.channels, 2)
    rate = segment.frame_rate if segment.frame_rate in MP3_SAMPLE_RATES else FALLBACK_SAMPLE_RATE
    segment = segment.set_channels(channels).set_frame_rate(rate)
    output = work_dir / "recording.mp3"
    segment.export(
        str(output),
        format="mp3",
        bitrate=f"{BITRATE_PER_CHANNEL * channels}k",
        parameters=["-ac", str(channels), "-ar", str(rate)],
    ).close()
    return output


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(COPY_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _same_or_conflict(existing: Recording, sha256: str) -> IngestionResult:
    if existing.sha256 == sha256:
        return IngestionResult(existing, created=False)
    raise Refused(
        Refused.CONFLICT,
        _(
            "A different recording of call %(call_id)s is stored already (stored %(stored)s). A call has one "
            "recording: nothing was changed. Send the same file again, or use another call id for another call."
        )
        % {"call_id": existing.call_id, "stored": existing.file_name},
    )


def _store(
    *,
    customer: Customer,
    call_id: str,
    facts: CallFacts,
    audio: PreparedAudio,
    storage: RecordingStorage,
    filename: str,
) -> IngestionResult:
    """Store file and row with the customer locked, so two copies of the same upload store one recording.

    Should the commit itself fail after the file was written, the file is
    deleted again: no file is ever left without its row.
    """
    recording = None
    try:
        with transaction.atomic():
            Customer.objects.select_for_update().filter(pk=customer.pk).first()
            existing = _existing(customer=customer, call_id=call_id)
            if existing is not None:
                return _same_or_conflict(existing, audio.sha256)
            with audio.path.open("rb") as source:
                recording = recording_save(
                    customer=customer,
                    call_id=call_id,
                    started_at=facts.started_at,
                    direction=facts.direction,
                    caller=facts.caller,
                    callee=facts.callee,
                    source=source,
                    duration_seconds=audio.duration_seconds,
                    storage=storage,
                )
    except BaseException:
        if recording is not None:
            storage.delete(recording.path)
        raise
    logger.info(
        "recording stored customer=%s call_id=%s path=%s size=%s from=%s(%s)",
        customer.prefix,
        call_id,
        recording.path,
        recording.size_bytes,
        filename or "-",
        audio.source_format,
    )
    return IngestionResult(recording, created=True)
