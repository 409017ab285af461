"""Uploaded recordings: which files are accepted, how they are normalised, and why others are refused."""

import io
import math
import tempfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from mutagen.mp3 import MP3

from pbx import audio, constants
from pbx.tests.audio_factory import make_mp3, make_ogg, make_silent_wav, make_wav, truncated_mp3


def normalise(name: str, content: bytes) -> audio.NormalisedAudio:
    return audio.normalise_greeting(SimpleUploadedFile(name, content))


def refusal(name: str, content: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        normalise(name, content)
    return caught.value


def assert_pbx_mp3(result: audio.NormalisedAudio, seconds: float) -> None:
    info = MP3(io.BytesIO(result.content)).info
    assert info.channels == 1
    assert info.sample_rate == 16000
    assert info.bitrate == 32000
    assert result.duration_seconds == pytest.approx(seconds, abs=0.2)
    assert info.length == pytest.approx(result.duration_seconds)


@pytest.mark.parametrize(("rate", "channels"), [(8000, 2), (8000, 1), (44100, 2)])
def test_wav_is_stored_as_mp3_mono_16khz(rate, channels):
    result = normalise("powitanie.wav", make_wav(3.0, rate, channels=channels))
    assert_pbx_mp3(result, 3.0)


def test_wav_recorded_by_a_phone_in_a_law_is_accepted():
    assert_pbx_mp3(normalise("nagranie.wav", make_wav(2.0, codec="pcm_alaw")), 2.0)


def test_mp3_is_accepted_and_normalised():
    assert_pbx_mp3(normalise("powitanie.mp3", make_mp3(2.5)), 2.5)


def test_format_is_recognised_by_content_not_by_name():
    assert_pbx_mp3(normalise("powitanie.txt", make_wav(1.0)), 1.0)
    assert_pbx_mp3(normalise("bez-rozszerzenia", make_mp3(1.0)), 1.0)


@pytest.mark.smoke
def test_text_file_renamed_to_mp3_is_refused_as_wrong_format():
    error = refusal("powitanie.mp3", b"To nie jest nagranie, tylko tekst.\n" * 200)
    assert error.code == "format"
    assert "WAV lub MP3" in error.messages[0]


def test_other_audio_formats_are_refused():
    assert refusal("powitanie.mp3", make_ogg()).code == "format"


@pytest.mark.smoke
def test_empty_file_is_refused():
    error = refusal("powitanie.wav", b"")
    assert error.code == "empty"
    assert "pusty" in error.messages[0]


def test_truncated_mp3_is_refused_as_damaged():
    error = refusal("powitanie.mp3", truncated_mp3())
    assert error.code == "damaged"
    assert "uszkodzony" in error.messages[0]


def test_wav_cut_in_half_is_refused_as_damaged():
    content = make_wav(4.0)
    assert refusal("powitanie.wav", content[: len(content) // 2]).code == "damaged"


def test_six_minute_recording_is_refused_as_too_long():
    error = refusal("dlugie.wav", make_silent_wav(6 * 60))
    assert error.code == "too_long"
    assert "6:00" in error.messages[0] and "5:00" in error.messages[0]


def test_recording_just_over_five_minutes_is_refused_and_its_length_rounded_up():
    error = refusal("za-dlugie.wav", make_silent_wav(constants.GREETING_MAX_SECONDS + 0.8))
    assert error.code == "too_long"
    assert "trwa 5:01 min" in error.messages[0]


def test_five_minute_recording_is_accepted():
    result = normalise("piec-minut.wav", make_silent_wav(constants.GREETING_MAX_SECONDS))
    assert result.duration_seconds == pytest.approx(constants.GREETING_MAX_SECONDS, abs=0.2)


class Unreadable:
    """An upload that only tells its size; reading it would fail the test."""

    name = "ogromny.wav"
    size = constants.GREETING_MAX_BYTES + 1

    def read(self, size=-1):
        raise AssertionError("a too large file must be refused before it is read")


@pytest.mark.smoke
def test_file_over_10_mb_is_refused_before_reading_it():
    with pytest.raises(ValidationError) as caught:
        audio.normalise_greeting(Unreadable())
    assert caught.value.code == "too_large"
    assert "10 MB" in caught.value.messages[0]


@pytest.mark.smoke
def test_file_at_the_size_limit_is_read_and_one_byte_over_is_not():
    header = make_wav(0.5)
    at_limit = header + b"\x00" * (constants.GREETING_MAX_BYTES - len(header))
    # Bytes after the WAV data chunk are ignored, so this is a valid half-second recording of exactly 10 MB.
    assert normalise("duzy.wav", at_limit).duration_seconds == pytest.approx(0.5, abs=0.2)
    assert refusal("duzy.wav", at_limit + b"\x00").code == "too_large"


class LyingSize(io.BytesIO):
    """A file-like object whose `size` claims less than it holds."""

    name = "klamie.wav"
    size = 10


def test_file_larger_than_it_claims_is_refused_while_copying():
    with pytest.raises(ValidationError) as caught:
        audio.normalise_greeting(LyingSize(b"\x00" * (constants.GREETING_MAX_BYTES + 1)))
    assert caught.value.code == "too_large"


def test_temporary_files_are_removed(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    normalise("powitanie.wav", make_wav(1.0))
    with pytest.raises(ValidationError):
        normalise("powitanie.mp3", truncated_mp3())
    assert list(tmp_path.iterdir()) == []


@pytest.mark.smoke
@pytest.mark.parametrize(
    ("announced", "decoded", "truncated"),
    [(4.1, 4.0, False), (0.6, 0.45, False), (4.1, 2.0, True), (300.0, 260.0, True), (2.0, 1.4, True)],
)
def test_is_truncated_tolerates_encoder_padding_only(announced, decoded, truncated):
    assert audio.is_truncated(announced_seconds=announced, decoded_seconds=decoded) is truncated


@pytest.mark.smoke
@pytest.mark.parametrize(("seconds", "shown"), [(0, "0:00"), (2.4, "0:02"), (65, "1:05"), (360, "6:00")])
def test_format_duration(seconds, shown):
    assert audio.format_duration(seconds) == shown


@pytest.mark.smoke
def test_format_duration_can_round_up():
    assert audio.format_duration(300.2, rounding=math.ceil) == "5:01"
