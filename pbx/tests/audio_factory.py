"""Real audio generated on the fly for tests (pydub with ffmpeg), so no binary fixtures live in the repository."""

from __future__ import annotations

import io

from pydub import AudioSegment
from pydub.generators import Sine

TONES_HZ = (440, 554, 659)


def make_segment(seconds: float = 2.0, *, rate: int = 8000, channels: int = 1) -> AudioSegment:
    """A few sine tones one after another, `seconds` long in total."""
    total_ms = round(seconds * 1000)
    step = max(1, total_ms // len(TONES_HZ))
    segment = AudioSegment.empty()
    for index, frequency in enumerate(TONES_HZ):
        length = step if index < len(TONES_HZ) - 1 else total_ms - step * (len(TONES_HZ) - 1)
        segment += Sine(frequency, sample_rate=rate).to_audio_segment(duration=length, volume=-12)
    return segment.set_frame_rate(rate).set_channels(channels)


def _export(segment: AudioSegment, **options) -> bytes:
    buffer = io.BytesIO()
    segment.export(buffer, **options)
    return buffer.getvalue()


def make_wav(seconds: float = 2.0, rate: int = 8000, *, channels: int = 1, codec: str | None = None) -> bytes:
    """A PCM WAV of sine tones (or another WAV codec, e.g. codec="pcm_alaw" as telephones record)."""
    options = {"format": "wav"}
    if codec:
        options["codec"] = codec
    return _export(make_segment(seconds, rate=rate, channels=channels), **options)


def make_silent_wav(seconds: float, rate: int = 8000) -> bytes:
    """A mono 16-bit WAV of silence: a cheap way to get a long recording."""
    return _export(AudioSegment.silent(duration=round(seconds * 1000), frame_rate=rate), format="wav")


def make_mp3(seconds: float = 2.0, *, rate: int = 44100, channels: int = 2, bitrate: str = "64k") -> bytes:
    """An MP3 of sine tones, as a phone or an editor would export it."""
    return _export(make_segment(seconds, rate=rate, channels=channels), format="mp3", bitrate=bitrate)


def truncated_mp3(seconds: float = 4.0) -> bytes:
    """A real MP3 cut in half and followed by garbage: its header still announces the full length."""
    content = make_mp3(seconds)
    return content[: len(content) // 2] + b"\x00not audio any more\xff" * 64


def make_ogg(seconds: float = 2.0) -> bytes:
    """A valid recording in a format the panel does not accept."""
    return _export(make_segment(seconds), format="ogg")
