"""Real MP3 audio of any length for simulated calls: a few tones made with pydub, as long as the talk time.

Encoding a fresh MP3 for every call would start ffmpeg hundreds of times. So
pydub encodes a few short tone patterns once per process (mono, 8 kHz,
8 kbit/s, without the bit reservoir, so every MP3 frame stands on its own),
and a call's audio is that pattern's frames repeated until the wanted length:
a valid MP3 (an ID3 tag naming the encoder, then the frames) that mutagen,
ffmpeg and browsers read, 72 ms per frame, 1 kB per second. The same (seconds, variant) always gives the same bytes, so
re-sending a recording is recognised as the same file.
"""

from __future__ import annotations

import io
import threading
import zlib
from collections.abc import Sequence

from pydub import AudioSegment
from pydub.generators import Sine

SAMPLE_RATE = 8000
BITRATE_KBPS = 8
SAMPLES_PER_FRAME = 576  # MPEG-2.5 layer III
FRAME_SECONDS = SAMPLES_PER_FRAME / SAMPLE_RATE  # 0.072 s
FRAME_BYTES = 72 * BITRATE_KBPS * 1000 // SAMPLE_RATE  # 72 bytes, never padded at these settings
# Tone patterns (Hz, 0 = a pause), each note a whole number of frames long (14 frames ≈ 1 s, 2 frames = 144 ms).
PATTERNS: tuple[tuple[int, ...], ...] = (
    (440, 0, 554, 0, 659, 0),
    (392, 0, 494, 0, 587, 0, 494, 0),
    (523, 0, 440, 0),
    (349, 0, 440, 0, 523, 0, 440, 0),
)
NOTE_FRAMES = 14
PAUSE_FRAMES = 2

ENCODER_TAG = "Centrala traffic simulator"

_lock = threading.Lock()
_pools: dict[int, tuple[bytes, ...]] = {}


def _encode_pattern(pattern: Sequence[int]) -> bytes:
    segment = AudioSegment.empty()
    for frequency in pattern:
        if frequency:
            milliseconds = NOTE_FRAMES * SAMPLES_PER_FRAME * 1000 // SAMPLE_RATE
            segment += Sine(frequency, sample_rate=SAMPLE_RATE).to_audio_segment(duration=milliseconds, volume=-14)
        else:
            milliseconds = PAUSE_FRAMES * SAMPLES_PER_FRAME * 1000 // SAMPLE_RATE
            segment += AudioSegment.silent(duration=milliseconds, frame_rate=SAMPLE_RATE)
    segment = segment.set_channels(1).set_frame_rate(SAMPLE_RATE).set_sample_width(2)
    buffer = io.BytesIO()
    segment.export(
        buffer,
        format="mp3",
        bitrate=f"{BITRATE_KBPS}k",
        parameters=[
            *("-ac", "1", "-ar", str(SAMPLE_RATE)),
            *("-reservoir", "0"),  # frames independent of each other, so any run of them is a valid stream
            *("-write_xing", "0", "-id3v2_version", "0", "-write_id3v1", "0"),
        ],
    )
    return buffer.getvalue()


def _frames(data: bytes) -> tuple[bytes, ...]:
    """Split an MP3 of our fixed format into its frames (each starts with the same 4-byte header)."""
    header = data[:4]
    if len(data) < FRAME_BYTES or header[:2] != b"\xff\xe3" or len(data) % FRAME_BYTES:
        raise RuntimeError("ffmpeg did not produce the expected MP3 format (MPEG-2.5 layer III, 8 kHz, 8 kbit/s)")
    frames = tuple(data[offset : offset + FRAME_BYTES] for offset in range(0, len(data), FRAME_BYTES))
    if any(frame[:4] != header for frame in frames):
        raise RuntimeError("ffmpeg produced MP3 frames of varying format")
    return frames


def _pool(variant: int) -> tuple[bytes, ...]:
    index = variant % len(PATTERNS)
    with _lock:
        if index not in _pools:
            _pools[index] = _frames(_encode_pattern(PATTERNS[index]))
        return _pools[index]


def _syncsafe(value: int) -> bytes:
    return bytes(((value >> shift) & 0x7F) for shift in (21, 14, 7, 0))


def _id3_tag() -> bytes:
    """A small ID3v2.3 tag naming the encoder: with it, tools that guess the format by content (mutagen) see an MP3,
    which they do not for a bare MPEG-2.5 frame stream."""
    text = b"\x00" + ENCODER_TAG.encode("latin-1")
    frame = b"TSSE" + len(text).to_bytes(4, "big") + b"\x00\x00" + text
    return b"ID3\x03\x00\x00" + _syncsafe(len(frame)) + frame


ID3_TAG = _id3_tag()


def frame_count(seconds: float) -> int:
    """How many frames make `seconds` of audio (at least one); the length is then within 36 ms of it."""
    return max(1, round(seconds / FRAME_SECONDS))


def mp3_seconds(seconds: float) -> float:
    """The exact play length of `tone_mp3(seconds)`."""
    return frame_count(seconds) * FRAME_SECONDS


def variant_of(key: str) -> int:
    """A stable tone pattern for a call id (the same call always sounds the same)."""
    return zlib.crc32(key.encode())


def tone_mp3(seconds: float, *, variant: int = 0) -> bytes:
    """An MP3 of tones that plays `seconds` (± 36 ms); deterministic for the same arguments."""
    frames = _pool(variant)
    count = frame_count(seconds)
    repeats, rest = divmod(count, len(frames))
    return ID3_TAG + b"".join(frames) * repeats + b"".join(frames[:rest])
