"""Taking in recordings: real audio checked and converted, stored once per call, refused with a reason."""

import hashlib
import io
import json
import os
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from mutagen.mp3 import MP3

from billing.models import Service
from billing.services import service_activate
from billing.tests import factories as billing_factories
from panel.refusal import Refused
from pbx.tests.audio_factory import make_mp3, make_ogg, make_wav, truncated_mp3
from recordings.ingestion import recording_ingest
from recordings.models import Recording
from recordings.storage import get_storage

pytestmark = pytest.mark.django_db

STARTED = datetime(2026, 3, 29, 8, 15, 30, tzinfo=UTC)  # 10:15:30 in Warsaw (summer time since 02:00)
CALL = {"started_at": STARTED, "direction": "out", "caller": "+48 22 123 45 67", "callee": "501222333"}


@pytest.fixture
def storage(settings, tmp_path):
    settings.RECORDINGS_ROOT = tmp_path / "recordings"
    return get_storage()


def ingest(customer, content: bytes, call_id: str = "call-1", **overrides):
    facts = {**CALL, **overrides}
    return recording_ingest(customer=customer, call_id=call_id, fileobj=io.BytesIO(content), filename="x", **facts)


def stored_files(storage) -> list[str]:
    return (
        sorted(str(path.relative_to(storage.root)) for path in storage.root.rglob("*") if path.is_file())
        if storage.root.exists()
        else []
    )


def test_mp3_is_stored_byte_for_byte_under_the_local_date_folders(customer, storage):
    content = make_mp3(3.0)
    result = ingest(customer, content)
    recording = result.recording
    assert result.created
    assert recording.path == "firmaabcde/2026/03/29/2026-03-29_10-15-30_out_48221234567_501222333.mp3"
    assert storage.local_path(recording.path).read_bytes() == content
    assert recording.size_bytes == len(content)
    assert recording.sha256 == hashlib.sha256(content).hexdigest()
    assert recording.duration_seconds == pytest.approx(Decimal("3.0"), abs=Decimal("0.2"))
    assert (recording.caller, recording.callee, recording.direction) == ("48221234567", "501222333", "out")


def test_wav_is_converted_to_mp3_and_its_duration_read_from_the_mp3(customer, storage):
    result = ingest(customer, make_wav(4.0, 8000, channels=2))
    path = storage.local_path(result.recording.path)
    assert path.suffix == ".mp3"
    audio = MP3(path)
    assert audio.info.channels == 2
    assert audio.info.length == pytest.approx(4.0, abs=0.3)
    assert float(result.recording.duration_seconds) == pytest.approx(audio.info.length, abs=0.001)
    assert result.recording.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_law_wav_as_telephones_record_is_accepted(customer, storage):
    result = ingest(customer, make_wav(2.0, 8000, codec="pcm_alaw"))
    assert MP3(storage.local_path(result.recording.path)).info.length == pytest.approx(2.0, abs=0.3)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is a text file renamed to .mp3\n" * 100, "To nie jest nagranie WAV ani MP3"),
        (truncated_mp3(4.0), "uszkodzony lub niekompletny"),
        (make_ogg(2.0), "To nie jest nagranie WAV ani MP3"),
        (b"", "pusty"),
    ],
    ids=["text", "truncated-mp3", "ogg", "empty"],
)
def test_non_audio_truncated_and_other_formats_are_refused_and_nothing_is_kept(customer, storage, content, message):
    with pytest.raises(Refused, match=message) as refused:
        ingest(customer, content)
    assert refused.value.code == Refused.AUDIO
    assert refused.value.field == "file"
    assert not Recording.objects.exists()
    assert stored_files(storage) == []


def test_too_large_and_too_long_recordings_are_refused(customer, storage, monkeypatch):
    from recordings import ingestion

    monkeypatch.setattr(ingestion, "MAX_BYTES", 10_000)
    with pytest.raises(Refused, match="za duży"):
        ingest(customer, make_wav(3.0))
    monkeypatch.setattr(ingestion, "MAX_BYTES", 200 * 1024 * 1024)
    monkeypatch.setattr(ingestion, "MAX_SECONDS", 2)
    monkeypatch.setattr(ingestion, "LENGTH_TOLERANCE_SECONDS", 0.5)
    with pytest.raises(Refused, match="za długie"):
        ingest(customer, make_mp3(4.0))
    assert stored_files(storage) == []


def test_a_truncated_wav_is_refused(customer, storage):
    content = make_wav(6.0)
    with pytest.raises(Refused, match="niekompletny"):
        ingest(customer, content[: len(content) // 2])


def test_refused_when_recording_was_off_when_the_call_started(other_customer, storage):
    with pytest.raises(Refused, match="wyłączona") as refused:
        ingest(other_customer, make_mp3(1.0))
    assert refused.value.code == Refused.SERVICE_OFF
    assert not Recording.objects.exists()
    assert stored_files(storage) == []


def test_the_service_counts_at_the_calls_start_not_at_the_upload(other_customer, storage):
    switched_on = STARTED + timedelta(hours=1)
    service_activate(customer=other_customer, service=Service.objects.get(code="recording"), now=switched_on)
    with pytest.raises(Refused):
        ingest(other_customer, make_mp3(1.0), call_id="before")
    result = ingest(other_customer, make_mp3(1.0), call_id="after", started_at=switched_on + timedelta(minutes=1))
    assert result.created


def test_call_data_comes_from_the_customers_call_record(customer, storage):
    billing_factories.call_record(
        customer,
        call_id="known",
        started_at=datetime(2026, 1, 5, 23, 59, 59, tzinfo=UTC),
        wait_seconds=1,
        talk_seconds=300,  # ends at 00:05 UTC
        direction="in",
        caller="+48600700800",
        callee="10",
    )
    result = recording_ingest(customer=customer, call_id="known", fileobj=io.BytesIO(make_mp3(1.0)))
    # 23:59:59 UTC is 00:59:59 on the next day in Warsaw: the folder follows the local date.
    assert result.recording.path == "firmaabcde/2026/01/06/2026-01-06_00-59-59_in_48600700800_10.mp3"


def test_another_customers_call_record_is_not_used(customer, other_customer, storage):
    billing_factories.call_record(
        other_customer, call_id="theirs", started_at=STARTED, wait_seconds=0, direction="in", caller="1", callee="2"
    )
    with pytest.raises(Refused, match="started_at") as refused:
        recording_ingest(customer=customer, call_id="theirs", fileobj=io.BytesIO(make_mp3(1.0)))
    assert refused.value.code == Refused.CALL_UNKNOWN


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"started_at": datetime(2026, 3, 29, 10, 0)}, "started_at"),
        ({"direction": "sideways"}, "direction"),
        ({"caller": "<script>"}, "caller"),
    ],
)
def test_invalid_call_data_is_refused(customer, storage, overrides, field):
    with pytest.raises(Refused) as refused:
        ingest(customer, make_mp3(1.0), **overrides)
    assert (refused.value.code, refused.value.field) == (Refused.INVALID, field)


def test_invalid_call_id_is_refused(customer, storage):
    with pytest.raises(Refused) as refused:
        ingest(customer, make_mp3(1.0), call_id="../../etc/passwd")
    assert refused.value.field == "call_id"


def test_same_recording_twice_is_one_recording(customer, storage):
    content = make_mp3(2.0)
    first = ingest(customer, content)
    second = ingest(customer, content)
    assert first.created and not second.created
    assert second.recording.pk == first.recording.pk
    assert Recording.objects.count() == 1
    assert len(stored_files(storage)) == 1


def test_same_wav_twice_is_one_recording(customer, storage):
    content = make_wav(2.0)
    assert ingest(customer, content).created
    assert not ingest(customer, content).created
    assert Recording.objects.count() == 1


def test_different_content_for_the_same_call_is_a_conflict_and_changes_nothing(customer, storage):
    first = ingest(customer, make_mp3(2.0))
    with pytest.raises(Refused, match="inne nagranie") as refused:
        ingest(customer, make_mp3(3.0))
    assert refused.value.code == Refused.CONFLICT
    assert list(Recording.objects.values_list("pk", flat=True)) == [first.recording.pk]
    assert stored_files(storage) == [first.recording.path]


def test_two_calls_with_the_same_name_get_a_numbered_second_file(customer, storage):
    first = ingest(customer, make_mp3(1.0), call_id="a")
    second = ingest(customer, make_mp3(1.5), call_id="b")
    assert second.recording.path == first.recording.path.replace(".mp3", "_2.mp3")


def test_a_failed_database_insert_removes_the_written_file(customer, storage, monkeypatch):
    def broken_create(*args, **kwargs):
        assert len(stored_files(storage)) == 1  # the file was written (under its final name) before the row
        raise RuntimeError("database went away")

    monkeypatch.setattr(Recording.objects, "create", broken_create)
    with pytest.raises(RuntimeError):
        ingest(customer, make_mp3(1.0))
    assert stored_files(storage) == []
    assert not Recording.objects.exists()


def test_a_crash_while_writing_leaves_no_file_visible(customer, storage, monkeypatch):
    import recordings.storage as storage_module

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(storage_module.os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        ingest(customer, make_mp3(1.0))
    assert stored_files(storage) == []  # not even the hidden temporary file
    assert not Recording.objects.exists()


# --- the spool directory


@pytest.fixture
def spool(tmp_path):
    folder = tmp_path / "spool"
    folder.mkdir()
    return folder


def run_spool(folder):
    out, err = io.StringIO(), io.StringIO()
    call_command("ingest_recordings", str(folder), "--min-age", "0", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_spool_files_with_sidecars_are_stored_and_moved_to_done(customer, storage, spool):
    (spool / "firmaabcde__call-7.wav").write_bytes(make_wav(1.0))
    (spool / "firmaabcde__call-7.json").write_text(
        json.dumps({"started_at": "2026-03-29T10:15:30+02:00", "direction": "in", "caller": "600", "callee": "10"})
    )
    out, _ = run_spool(spool)
    assert "stored 1" in out
    recording = Recording.objects.get(call_id="call-7")
    assert recording.path == "firmaabcde/2026/03/29/2026-03-29_10-15-30_in_600_10.mp3"
    assert sorted(path.name for path in (spool / "done").iterdir()) == [
        "firmaabcde__call-7.json",
        "firmaabcde__call-7.wav",
    ]
    assert not list(spool.glob("*.wav"))


def test_refused_spool_files_go_to_failed_with_the_reason(customer, other_customer, storage, spool):
    (spool / "firmaabcde__call-8.mp3").write_bytes(b"not audio at all" * 100)
    (spool / "firmaabcde__call-8.json").write_text(json.dumps({k: str(v) for k, v in CALL.items()}))
    (spool / "nosuchfirm__call-9.mp3").write_bytes(make_mp3(1.0))
    (spool / "drugafirma__call-10.mp3").write_bytes(make_mp3(1.0))
    (spool / "drugafirma__call-10.json").write_text(json.dumps({k: str(v) for k, v in CALL.items()}))
    (spool / "badname.mp3").write_bytes(make_mp3(1.0))
    out, err = run_spool(spool)
    assert "failed 4" in out
    failed = spool / "failed"
    assert "nie jest nagranie" in (failed / "firmaabcde__call-8.mp3.reason.txt").read_text()
    assert "nosuchfirm" in (failed / "nosuchfirm__call-9.mp3.reason.txt").read_text()
    assert "wyłączona" in (failed / "drugafirma__call-10.mp3.reason.txt").read_text()
    assert (failed / "drugafirma__call-10.json").exists()
    assert "badname.mp3.reason.txt" in os.listdir(failed)
    assert not Recording.objects.exists()


def test_spool_run_again_is_safe(customer, storage, spool):
    content = make_mp3(1.0)
    sidecar = json.dumps({"started_at": "2026-03-29T10:15:30+02:00", "direction": "out", "caller": "10", "callee": "5"})
    (spool / "firmaabcde__call-1.mp3").write_bytes(content)
    (spool / "firmaabcde__call-1.json").write_text(sidecar)
    run_spool(spool)
    # The PBX drops the same file again (e.g. it did not see the move): stored once, moved to done again.
    (spool / "firmaabcde__call-1.mp3").write_bytes(content)
    (spool / "firmaabcde__call-1.json").write_text(sidecar)
    out, _ = run_spool(spool)
    assert "already stored 1" in out
    assert Recording.objects.count() == 1
    assert sorted(path.name for path in (spool / "done").iterdir()) == [
        "firmaabcde__call-1.json",
        "firmaabcde__call-1.mp3",
        "firmaabcde__call-1_2.json",
        "firmaabcde__call-1_2.mp3",
    ]
    out, _ = run_spool(spool)
    assert "stored 0, already stored 0, failed 0" in out


def test_spool_leaves_files_still_being_written(customer, storage, spool):
    path = spool / "firmaabcde__call-2.mp3"
    path.write_bytes(make_mp3(1.0))
    out = io.StringIO()
    call_command("ingest_recordings", str(spool), "--min-age", "60", stdout=out)
    assert "left for later 1" in out.getvalue()
    assert path.exists()
    old = time.time() - 120
    os.utime(path, (old, old))
    (spool / "firmaabcde__call-2.json").write_text(json.dumps({k: str(v) for k, v in CALL.items()}))
    call_command("ingest_recordings", str(spool), "--min-age", "60", stdout=io.StringIO())
    assert Recording.objects.filter(call_id="call-2").exists()


def test_spool_needs_an_existing_folder(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("ingest_recordings", str(tmp_path / "missing"))
