"""Checking and normalising the audio files customers upload (greetings now; announcements and recordings later).

A customer may upload whatever their recorder or editor produced. The PBX
plays one predictable format, so every accepted file is re-encoded to MP3,
mono, 16 kHz at a fixed bitrate. The format is recognised by its content
(mutagen), never by its name or the browser's content type, and the file is
decoded for real (pydub with ffmpeg) so that a damaged or cut-off file is
refused here rather than failing silently on a caller's phone.

The helpers below `normalise_audio` know nothing of Django and raise
`AudioRejected`; `normalise_greeting` turns that into a translated
`ValidationError` for forms and services.
"""

from __future__ import annotations

import logging
import math
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

import mutagen
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from mutagen.mp3 import MP3
from mutagen.wave import WAVE
from pydub import AudioSegment

from pbx import constants

logger = logging.getLogger(__name__)

OUTPUT_FORMAT = "mp3"
OUTPUT_CHANNELS = 1
OUTPUT_SAMPLE_RATE = 16_000
OUTPUT_BITRATE = "32k"
ACCEPTED_FORMATS = {WAVE: "wav", MP3: "mp3"}
# A file that decodes to much less than its header announces has been cut off. MP3 encoders pad a little,
# so a shortfall counts only when it exceeds both this share of the announced length and this many seconds.
TRUNCATION_RATIO = 0.10
TRUNCATION_SECONDS = 0.5
# A recording may run this much past the limit (a rounding matter, not a longer greeting).
ALLOWED_OVERRUN_SECONDS = 0.5
# The announced length may exceed the limit by this much (encoder padding) before decoding is skipped.
LENGTH_TOLERANCE_SECONDS = 1.0
COPY_CHUNK = 64 * 1024


@dataclass(frozen=True)
class NormalisedAudio:
    """An accepted recording, re-encoded for the PBX: the MP3 bytes and how long it plays."""

    content: bytes
    duration_seconds: float


class AudioRejected(Exception):
    """An uploaded file that is not acceptable audio; `code` says which rule it broke."""

    EMPTY = "empty"
    TOO_LARGE = "too_large"
    FORMAT = "format"
    DAMAGED = "damaged"
    TOO_LONG = "too_long"

    def __init__(self, code: str, **params) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Probe:
    """What the file's headers say: its format ("wav" or "mp3") and announced length."""

    format: str
    duration_seconds: float


class FileLike(Protocol):
    size: int | None
    name: str | None

    def read(self, size: int = -1) -> bytes: ...


def format_duration(seconds: float, *, rounding=round) -> str:
    """Minutes and seconds as m:ss, e.g. 6:00 for 360 s (`rounding=math.ceil` never shows too little)."""
    whole = int(rounding(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def probe(path: Path) -> Probe:
    """Recognise WAV or MP3 by the file's content alone.

    The caller must store the file under a neutral name: mutagen's guess
    also looks at the name's extension.
    """
    try:
        kind = mutagen.File(path)
    except Exception as error:  # mutagen raises many kinds of errors on hostile input
        logger.info("mutagen could not read %s: %s", path, error)
        kind = None
    audio_format = ACCEPTED_FORMATS.get(type(kind))
    if audio_format is None or kind.info is None:
        raise AudioRejected(AudioRejected.FORMAT)
    length = float(getattr(kind.info, "length", 0) or 0)
    return Probe(format=audio_format, duration_seconds=length)


def decode(path: Path, audio_format: str, *, max_seconds: float) -> AudioSegment:
    """Decode the file with ffmpeg, at most `max_seconds` of it; a file ffmpeg cannot read is damaged.

    The cap keeps a file whose header understates its length from filling the memory.
    """
    try:
        segment = AudioSegment.from_file(str(path), format=audio_format, duration=max_seconds)
    except Exception as error:  # pydub lets ffmpeg's failures surface as several exception types
        logger.info("could not decode %s as %s: %s", path, audio_format, error)
        raise AudioRejected(AudioRejected.DAMAGED) from error
    if len(segment) == 0:
        raise AudioRejected(AudioRejected.DAMAGED)
    return segment


def is_truncated(*, announced_seconds: float, decoded_seconds: float) -> bool:
    """True when far less audio decoded than the header announced (a cut-off or corrupt file)."""
    shortfall = announced_seconds - decoded_seconds
    return shortfall > max(TRUNCATION_SECONDS, announced_seconds * TRUNCATION_RATIO)


def mp3_duration(path_or_file: Path | BinaryIO) -> float:
    """Play length in seconds of an MP3, read from its frames by mutagen."""
    return float(MP3(path_or_file).info.length)


def normalise_file(path: Path, *, max_seconds: float, work_dir: Path) -> NormalisedAudio:
    """Check the audio file at `path` and re-encode it to the PBX's MP3 format."""
    if path.stat().st_size == 0:
        raise AudioRejected(AudioRejected.EMPTY)
    found = probe(path)

    def too_long(seconds: float) -> AudioRejected:
        return AudioRejected(
            AudioRejected.TOO_LONG,
            duration=format_duration(seconds, rounding=math.ceil),
            limit=format_duration(max_seconds),
        )

    if found.duration_seconds > max_seconds + LENGTH_TOLERANCE_SECONDS:
        raise too_long(found.duration_seconds)
    # Decoding a little past the limit is enough to tell that a recording is too long.
    segment = decode(path, found.format, max_seconds=max_seconds + 2 * LENGTH_TOLERANCE_SECONDS)
    decoded_seconds = len(segment) / 1000
    if decoded_seconds > max_seconds + ALLOWED_OVERRUN_SECONDS:
        raise too_long(max(decoded_seconds, found.duration_seconds))
    if is_truncated(announced_seconds=found.duration_seconds, decoded_seconds=decoded_seconds):
        raise AudioRejected(AudioRejected.DAMAGED)
    segment = segment.set_channels(OUTPUT_CHANNELS).set_frame_rate(OUTPUT_SAMPLE_RATE)
    output = work_dir / f"normalised.{OUTPUT_FORMAT}"
    segment.export(
        str(output),
        format=OUTPUT_FORMAT,
        bitrate=OUTPUT_BITRATE,
        parameters=["-ac", str(OUTPUT_CHANNELS), "-ar", str(OUTPUT_SAMPLE_RATE)],
    ).close()
    return NormalisedAudio(content=output.read_bytes(), duration_seconds=mp3_duration(output))


def _chunks(upload: FileLike) -> Iterator[bytes]:
    if hasattr(upload, "seek"):
        upload.seek(0)
    if hasattr(upload, "chunks"):
        yield from upload.chunks(COPY_CHUNK)
        return
    while chunk := upload.read(COPY_CHUNK):
        yield chunk


def normalise_audio(upload: FileLike, *, max_bytes: int, max_seconds: float) -> NormalisedAudio:
    """Check an uploaded file (size first, before reading it) and re-encode it; raises `AudioRejected`."""
    size = getattr(upload, "size", None)
    if size == 0:
        raise AudioRejected(AudioRejected.EMPTY)
    too_large = AudioRejected(AudioRejected.TOO_LARGE, limit=max_bytes // (1024 * 1024))
    if size is not None and size > max_bytes:
        raise too_large
    work_dir = Path(tempfile.mkdtemp(prefix="centrala-audio-"))
    try:
        # A neutral name: the format must be recognised from the content, not from the customer's file name.
        source = work_dir / "upload"
        written = 0
        with source.open("wb") as target:
            for chunk in _chunks(upload):
                written += len(chunk)
                if written > max_bytes:
                    raise too_large
                target.write(chunk)
        return normalise_file(source, max_seconds=max_seconds, work_dir=work_dir)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


MESSAGES = {
    AudioRejected.EMPTY: _("The file is empty. Choose a WAV or MP3 recording."),
    AudioRejected.TOO_LARGE: _("The file is too large: at most %(limit)s MB is allowed."),
    AudioRejected.FORMAT: _("This is not a WAV or MP3 recording. Only WAV and MP3 files can be uploaded."),
    AudioRejected.DAMAGED: _(
        "The file is damaged or incomplete and cannot be played. Save or export the recording again and upload it."
    ),
    AudioRejected.TOO_LONG: _(
        "The recording is too long: it lasts %(duration)s min, at most %(limit)s min is allowed."
    ),
}


def normalise_greeting(upload: FileLike) -> NormalisedAudio:
    """A voicemail greeting as the PBX plays it; a refused file raises a translated `ValidationError`."""
    try:
        return normalise_audio(
            upload, max_bytes=constants.GREETING_MAX_BYTES, max_seconds=constants.GREETING_MAX_SECONDS
        )
    except AudioRejected as rejected:
        raise ValidationError(MESSAGES[rejected.code], code=rejected.code, params=rejected.params) from rejected
