"""Pushing a day's recordings to real FTP, FTPS and SFTP servers on 127.0.0.1, with the faults real servers have."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import paramiko
import pytest
from django.core import mail

from recordings.models import PushConfirmation
from recordings.naming import LOCAL_ZONE
from recordings.push import selectors, services, transports
from recordings.push.choices import ConfirmationMethod, PushProtocol, PushRunStatus
from recordings.push.testing import (
    TARGET_PASSWORD,
    TARGET_USER,
    push_settings,
    recordings_of_day,
    switch_push_on,
    writable_ftp_server,
)
from recordings.testing import random_audio_bytes
from recordings.tests import factories
from recordings.tests.sftp_server import SftpTestServer

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 29)  # the spring daylight-saving day: 23 hours
NIGHT = datetime(2026, 3, 30, 0, 5, tzinfo=LOCAL_ZONE)


class Target:
    """A running test server: its protocol, address, folder on disk and fault switches."""

    def __init__(self, protocol, server, root, faults=None):
        self.protocol, self.server, self.root, self.faults = protocol, server, root, faults

    @property
    def day_folder(self):
        return self.root / "nagrania" / "2026" / "03" / "29"

    def files(self):
        folder = self.day_folder
        return sorted(path.name for path in folder.iterdir()) if folder.is_dir() else []

    def uploads(self):
        return self.faults.uploads if self.faults is not None else self.server.uploads


@pytest.fixture(params=[PushProtocol.FTP, PushProtocol.FTPS, PushProtocol.SFTP])
def target(request, tmp_path, tls_certificate):
    root = tmp_path / "target"
    if request.param == PushProtocol.SFTP:
        with SftpTestServer(root, username=TARGET_USER, password=TARGET_PASSWORD) as server:
            yield Target(request.param, server, root)
    else:
        tls = tls_certificate if request.param == PushProtocol.FTPS else None
        with writable_ftp_server(root, tls=tls) as (server, faults):
            yield Target(request.param, server, root, faults)


@pytest.fixture
def ftp(tmp_path):
    root = tmp_path / "target"
    with writable_ftp_server(root) as (server, faults):
        yield Target(PushProtocol.FTP, server, root, faults)


@pytest.fixture
def sftp(tmp_path):
    root = tmp_path / "target"
    with SftpTestServer(root, username=TARGET_USER, password=TARGET_PASSWORD) as server:
        yield Target(PushProtocol.SFTP, server, root)


@pytest.fixture
def pushing(customer):
    switch_push_on(customer)
    return customer


def configure(customer, target, **overrides):
    return services.push_target_save(
        customer=customer, data=push_settings(target.protocol, target.server.address, **overrides)
    )


def push(customer, storage, day=DAY, **options):
    return services.push_day(customer=customer, day=day, storage=storage, now=options.pop("now", NIGHT), **options)


def test_every_recording_of_the_day_is_uploaded_verified_and_renamed(pushing, target, storage):
    configure(pushing, target)
    recordings = recordings_of_day(pushing, day=DAY, count=3, storage=storage, size=150_000)
    factories.recording(  # the day before and after are not part of this push
        pushing, started_at=datetime(2026, 3, 28, 23, 59, tzinfo=LOCAL_ZONE), content=b"x" * 10, storage=storage
    )
    factories.recording(
        pushing, started_at=datetime(2026, 3, 30, 0, 0, tzinfo=LOCAL_ZONE), content=b"y" * 10, storage=storage
    )

    outcome = push(pushing, storage)

    run = outcome.run
    assert (run.status, run.error) == (PushRunStatus.DONE, "")
    assert (run.total_count, run.uploaded_count, run.skipped_count, run.failed_count) == (3, 3, 0, 0)
    assert run.bytes_uploaded == sum(recording.size_bytes for recording in recordings)
    assert target.files() == sorted(recording.file_name for recording in recordings)  # no temporary file left
    for recording in recordings:
        with storage.open(recording.path) as local:
            assert (target.day_folder / recording.file_name).read_bytes() == local.read()
    # Each file went to a temporary name first.
    assert all(path.rsplit("/", 1)[1].startswith(".") and path.endswith(".part") for path in target.uploads())
    confirmations = PushConfirmation.objects.for_customer(pushing)
    assert confirmations.count() == 3
    assert {confirmation.method for confirmation in confirmations} == {ConfirmationMethod.UPLOADED}
    assert confirmations.first().remote_path.startswith("/nagrania/2026/03/29/")
    if target.protocol == PushProtocol.SFTP:  # the test server offers "check-file": the checksum was compared
        assert {confirmation.checksum for confirmation in confirmations} == {"sha1"}


def test_a_second_run_sends_nothing_again(pushing, target, storage):
    configure(pushing, target)
    recordings_of_day(pushing, day=DAY, count=2, storage=storage)
    push(pushing, storage)
    uploads = list(target.uploads())

    run = push(pushing, storage).run

    assert run.status == PushRunStatus.DONE and run.uploaded_count == 2 and run.attempts == 2
    assert target.uploads() == uploads


def test_sftp_without_check_file_still_verifies_the_size(pushing, sftp, storage):
    sftp.server.offer_checksums = False
    configure(pushing, sftp)
    recordings_of_day(pushing, day=DAY, count=2, storage=storage)
    run = push(pushing, storage).run
    assert run.status == PushRunStatus.DONE
    assert set(PushConfirmation.objects.values_list("checksum", flat=True)) == {""}


def test_files_already_on_the_server_with_the_right_size_are_skipped(pushing, ftp, storage):
    configure(pushing, ftp)
    first, second, third = recordings_of_day(pushing, day=DAY, count=3, storage=storage)
    ftp.day_folder.mkdir(parents=True)
    (ftp.day_folder / first.file_name).write_bytes(b"\0" * first.size_bytes)  # right size: trusted
    (ftp.day_folder / second.file_name).write_bytes(b"broken")  # wrong size: sent again

    run = push(pushing, storage).run

    assert (run.uploaded_count, run.skipped_count, run.status) == (2, 1, PushRunStatus.DONE)
    methods = dict(PushConfirmation.objects.values_list("recording_id", "method"))
    assert methods == {
        first.pk: ConfirmationMethod.PRESENT,
        second.pk: ConfirmationMethod.UPLOADED,
        third.pk: ConfirmationMethod.UPLOADED,
    }
    assert (ftp.day_folder / second.file_name).stat().st_size == second.size_bytes


@pytest.mark.parametrize("server", ["ftp", "ftp refusing NLST", "sftp"])
def test_files_already_on_the_server_are_found_with_or_without_a_folder_listing(pushing, storage, tmp_path, server):
    root = tmp_path / "target"
    first, second, third = recordings_of_day(pushing, day=DAY, count=3, storage=storage)
    if server == "sftp":
        context = SftpTestServer(root, username=TARGET_USER, password=TARGET_PASSWORD)
    else:
        context = writable_ftp_server(root)
    with context as running:
        if server == "sftp":
            target = Target(PushProtocol.SFTP, running, root)
        else:
            target = Target(PushProtocol.FTP, *running[:1], root, running[1])
            target.faults.refuse_listing = server == "ftp refusing NLST"
        configure(pushing, target)
        target.day_folder.mkdir(parents=True)
        (target.day_folder / first.file_name).write_bytes(b"\0" * first.size_bytes)  # right size: trusted
        (target.day_folder / second.file_name).write_bytes(b"broken")  # wrong size: sent again

        run = push(pushing, storage).run

        assert (run.uploaded_count, run.skipped_count, run.status) == (2, 1, PushRunStatus.DONE)
        methods = dict(PushConfirmation.objects.values_list("recording_id", "method"))
        assert methods == {
            first.pk: ConfirmationMethod.PRESENT,
            second.pk: ConfirmationMethod.UPLOADED,
            third.pk: ConfirmationMethod.UPLOADED,
        }
        assert [path.rsplit("/", 1)[1] for path in target.uploads()] == [
            f".{second.file_name}.part",
            f".{third.file_name}.part",
        ]
        assert (target.day_folder / first.file_name).read_bytes() == b"\0" * first.size_bytes  # left alone
        assert target.files() == sorted(recording.file_name for recording in (first, second, third))


@pytest.mark.parametrize(
    ("batch_seconds", "confirmed_before_each_file"), [(3600, [0, 0, 2, 2, 4]), (0, [0, 1, 2, 3, 4])]
)
def test_verified_files_are_confirmed_in_batches_of_files_or_of_time(
    pushing, ftp, storage, monkeypatch, batch_seconds, confirmed_before_each_file
):
    monkeypatch.setattr(services, "CONFIRM_BATCH_FILES", 2)
    monkeypatch.setattr(services, "CONFIRM_BATCH_SECONDS", batch_seconds)
    configure(pushing, ftp)
    recordings_of_day(pushing, day=DAY, count=5, storage=storage)
    confirmed = []
    push_one = services._push_one

    def counting(transport, **options):
        confirmed.append(PushConfirmation.objects.count())
        return push_one(transport, **options)

    monkeypatch.setattr(services, "_push_one", counting)

    run = push(pushing, storage).run

    assert confirmed == confirmed_before_each_file  # written while the push goes on, not only at its end
    assert run.status == PushRunStatus.DONE and run.uploaded_count == 5
    assert PushConfirmation.objects.filter(run=run).count() == 5


def test_an_sftp_write_the_server_refuses_fails_that_file_and_confirms_nothing(pushing, sftp, storage, monkeypatch):
    configure(pushing, sftp)
    recordings_of_day(pushing, day=DAY, count=2, storage=storage, size=150_000)
    write = paramiko.SFTPHandle.write

    def disk_full_after_64_kb(self, offset, data):
        return paramiko.sftp.SFTP_FAILURE if offset + len(data) > 64_000 else write(self, offset, data)

    monkeypatch.setattr(paramiko.SFTPHandle, "write", disk_full_after_64_kb)  # the server runs in this process

    outcome = push(pushing, storage)

    run = outcome.run
    assert run.status == PushRunStatus.FAILED and outcome.retry
    assert (run.uploaded_count, run.failed_count) == (0, 2)
    assert not PushConfirmation.objects.exists()
    assert sftp.files() == []  # the temporary files were removed
    monkeypatch.undo()
    assert push(pushing, storage).run.status == PushRunStatus.DONE
    assert len(sftp.files()) == 2


def test_active_mode_ftp_uploads_every_file(pushing, ftp, storage):
    configure(pushing, ftp, passive_mode=False)
    recordings = recordings_of_day(pushing, day=DAY, count=3, storage=storage, size=50_000)

    run = push(pushing, storage).run

    assert run.status == PushRunStatus.DONE and run.uploaded_count == 3
    assert ftp.files() == sorted(recording.file_name for recording in recordings)


@pytest.mark.parametrize("protocol", [PushProtocol.FTP, PushProtocol.SFTP])
def test_a_push_that_dies_midway_resumes_without_sending_anything_twice(pushing, storage, tmp_path, protocol):
    root = tmp_path / "target"
    recordings = recordings_of_day(pushing, day=DAY, count=5, storage=storage)
    if protocol == PushProtocol.SFTP:
        context = SftpTestServer(root, username=TARGET_USER, password=TARGET_PASSWORD)
    else:
        context = writable_ftp_server(root)
    with context as running:
        server, faults = running if isinstance(running, tuple) else (running, running)
        target = Target(protocol, server, root, faults if protocol == PushProtocol.FTP else None)
        configure(pushing, target)
        faults.crash_after_files = 2

        first = push(pushing, storage)

        assert first.retry and first.run.status == PushRunStatus.FAILED
        assert "połączenie" in first.run.error.lower() or "connection" in first.run.error.lower()
        assert first.run.uploaded_count == 2 and first.run.failed_count == 3
        assert len(target.files()) == 2
        faults.crash_after_files = None

        second = push(pushing, storage)

        assert second.run.status == PushRunStatus.DONE and second.run.uploaded_count == 5
        assert target.files() == sorted(recording.file_name for recording in recordings)
        sent = [path.rsplit("/", 1)[1] for path in target.uploads()]
        assert len(sent) == len(set(sent)) == 5  # every file exactly once
        assert PushConfirmation.objects.count() == 5


def test_a_connection_cut_mid_file_marks_nothing(pushing, ftp, storage):
    configure(pushing, ftp)
    recordings = recordings_of_day(pushing, day=DAY, count=2, storage=storage, size=400_000)
    ftp.faults.disconnect_after_bytes = 100_000

    outcome = push(pushing, storage)

    assert outcome.retry and outcome.run.status == PushRunStatus.FAILED
    assert not PushConfirmation.objects.exists()
    assert not any(name in ftp.files() for name in (recording.file_name for recording in recordings))

    ftp.faults.disconnect_after_bytes = None
    run = push(pushing, storage).run
    assert run.status == PushRunStatus.DONE
    assert ftp.files() == sorted(recording.file_name for recording in recordings)  # the partial file was replaced


def test_a_server_reporting_a_short_size_gets_nothing_confirmed(pushing, ftp, storage):
    configure(pushing, ftp)
    recordings_of_day(pushing, day=DAY, count=2, storage=storage)
    ftp.faults.short_size_by = 1

    outcome = push(pushing, storage)

    assert outcome.retry and outcome.run.status == PushRunStatus.FAILED
    assert outcome.run.failed_count == 2
    assert "bajtów" in outcome.run.error or "bytes" in outcome.run.error
    assert not PushConfirmation.objects.exists()
    assert ftp.files() == []  # the temporary files were removed


def test_a_full_disk_on_the_target_stops_at_the_file_that_does_not_fit(pushing, ftp, storage):
    configure(pushing, ftp)
    recordings = recordings_of_day(pushing, day=DAY, count=3, storage=storage, size=10_000)
    ftp.faults.quota_bytes = 25_000

    outcome = push(pushing, storage)

    run = outcome.run
    assert run.status == PushRunStatus.FAILED and run.uploaded_count == 2 and run.failed_count == 1
    assert "miejsca" in run.error or "room" in run.error
    assert set(PushConfirmation.objects.values_list("recording_id", flat=True)) == {r.pk for r in recordings[:2]}
    assert ftp.files() == sorted(r.file_name for r in recordings[:2])


def test_a_refused_rename_leaves_the_recording_unconfirmed(pushing, ftp, storage):
    configure(pushing, ftp)
    recordings_of_day(pushing, day=DAY, count=1, storage=storage)
    ftp.faults.refuse_rename = True

    run = push(pushing, storage).run

    assert run.status == PushRunStatus.FAILED
    assert "nazw" in run.error or "rename" in run.error
    assert not PushConfirmation.objects.exists()
    assert ftp.files() == []


def _sent_together(monkeypatch):
    """The commands of every pipelined write of the FTP transport, as lists of verbs."""
    writes = []
    send = transports.FtpTransport._send_commands

    def recording(self, *lines):
        writes.append([line.split(" ", 1)[0] for line in lines])
        return send(self, *lines)

    monkeypatch.setattr(transports.FtpTransport, "_send_commands", recording)
    return writes


def test_a_batch_is_uploaded_first_then_checked_and_renamed_in_one_write_each(pushing, ftp, storage, monkeypatch):
    monkeypatch.setattr(services, "CONFIRM_BATCH_SECONDS", 3600)
    configure(pushing, ftp)
    recordings = recordings_of_day(pushing, day=DAY, count=3, storage=storage)
    writes = _sent_together(monkeypatch)

    run = push(pushing, storage).run

    assert run.status == PushRunStatus.DONE and run.uploaded_count == 3
    asked = [command for command in ftp.faults.commands if command in ("STOR", "SIZE", "RNFR", "RNTO")]
    assert asked == ["STOR"] * 3 + ["SIZE"] * 3 + ["RNFR", "RNTO"] * 3
    assert ["SIZE"] * 3 in writes and ["RNFR", "RNTO"] * 3 + ["PASV"] in writes
    assert ftp.files() == sorted(recording.file_name for recording in recordings)


def test_a_short_size_of_one_file_in_a_batch_fails_only_that_file(pushing, ftp, storage):
    configure(pushing, ftp)
    first, second, third = recordings_of_day(pushing, day=DAY, count=3, storage=storage)
    ftp.faults.short_size_by = 1
    ftp.faults.short_size_names = (second.file_name,)

    outcome = push(pushing, storage)

    run = outcome.run
    assert outcome.retry and run.status == PushRunStatus.FAILED
    assert (run.uploaded_count, run.failed_count) == (2, 1)
    assert second.file_name in run.error and ("bajtów" in run.error or "bytes" in run.error)
    assert set(PushConfirmation.objects.values_list("recording_id", flat=True)) == {first.pk, third.pk}
    assert ftp.files() == sorted([first.file_name, third.file_name])  # the short one's temporary file removed


def test_a_server_without_size_is_asked_by_mlst_from_then_on(pushing, ftp, storage, monkeypatch):
    monkeypatch.setattr(services, "CONFIRM_BATCH_FILES", 2)
    monkeypatch.setattr(services, "CONFIRM_BATCH_SECONDS", 3600)
    configure(pushing, ftp)
    recordings = recordings_of_day(pushing, day=DAY, count=3, storage=storage)
    ftp.faults.refuse_size = True

    run = push(pushing, storage).run

    assert run.status == PushRunStatus.DONE and run.uploaded_count == 3
    commands = ftp.faults.commands
    assert (commands.count("SIZE"), commands.count("MLST")) == (2, 3)  # the second batch no longer asks SIZE
    assert ftp.files() == sorted(recording.file_name for recording in recordings)


def test_a_server_without_size_or_mlst_confirms_nothing(pushing, ftp, storage, monkeypatch):
    configure(pushing, ftp)
    recordings_of_day(pushing, day=DAY, count=2, storage=storage)
    ftp.faults.refuse_size = True
    monkeypatch.setattr(transports.FtpTransport, "_size_from_mlst", _no_mlst)

    outcome = push(pushing, storage)

    assert outcome.run.status == PushRunStatus.FAILED and not outcome.retry
    assert not PushConfirmation.objects.exists()


def _no_mlst(self, path):
    raise transports.PushError(transports.STEP_VERIFY, "no SIZE, no MLST", permanent=True)


def test_a_refused_rename_in_the_middle_of_a_batch_leaves_exactly_that_file_unconfirmed(pushing, ftp, storage):
    configure(pushing, ftp)
    first, second, third = recordings_of_day(pushing, day=DAY, count=3, storage=storage)
    ftp.faults.refuse_rename = True
    ftp.faults.refuse_rename_names = (second.file_name,)

    run = push(pushing, storage).run

    assert run.status == PushRunStatus.FAILED
    assert (run.uploaded_count, run.failed_count) == (2, 1)
    assert second.file_name in run.error and ("nazw" in run.error or "rename" in run.error)
    assert set(PushConfirmation.objects.values_list("recording_id", flat=True)) == {first.pk, third.pk}
    assert ftp.files() == sorted([first.file_name, third.file_name])


def test_a_server_that_does_not_rename_over_a_file_gets_the_old_one_removed_first(pushing, ftp, storage):
    configure(pushing, ftp)
    first, second = recordings_of_day(pushing, day=DAY, count=2, storage=storage)
    ftp.day_folder.mkdir(parents=True)
    (ftp.day_folder / first.file_name).write_bytes(b"broken")  # wrong size: sent again, over it
    ftp.faults.refuse_rename_over_existing = True

    run = push(pushing, storage).run

    assert run.status == PushRunStatus.DONE and run.uploaded_count == 2
    with storage.open(first.path) as local:
        assert (ftp.day_folder / first.file_name).read_bytes() == local.read()
    assert ftp.files() == sorted([first.file_name, second.file_name])


def test_a_connection_lost_among_the_renames_confirms_nothing_and_the_next_push_resumes(pushing, ftp, storage):
    configure(pushing, ftp)
    first, second, third = recordings_of_day(pushing, day=DAY, count=3, storage=storage)
    ftp.faults.crash_at_rename = 2  # the first file got its final name, then the server died

    outcome = push(pushing, storage)

    assert outcome.retry and outcome.run.status == PushRunStatus.FAILED
    assert not PushConfirmation.objects.exists()
    assert ftp.files() == sorted([first.file_name, f".{second.file_name}.part", f".{third.file_name}.part"])
    ftp.faults.crash_at_rename = None

    run = push(pushing, storage).run

    assert run.status == PushRunStatus.DONE and (run.uploaded_count, run.skipped_count) == (2, 1)
    methods = dict(PushConfirmation.objects.values_list("recording_id", "method"))
    assert methods[first.pk] == ConfirmationMethod.PRESENT
    assert ftp.files() == sorted(recording.file_name for recording in (first, second, third))


def test_uploads_that_cannot_be_checked_after_a_lost_connection_are_not_confirmed(pushing, ftp, storage, monkeypatch):
    configure(pushing, ftp)
    recordings = recordings_of_day(pushing, day=DAY, count=3, storage=storage)
    ftp.faults.crash_after_files = 2
    opened = []
    open_transport = services.open_transport

    def only_once(endpoint, **options):  # the server is unreachable after the lost connection
        opened.append(endpoint)
        if len(opened) > 1:
            raise transports.PushError(transports.STEP_CONNECT, "unreachable")
        return open_transport(endpoint, **options)

    monkeypatch.setattr(services, "open_transport", only_once)

    outcome = push(pushing, storage)

    assert len(opened) == 2  # the rescue was tried
    assert outcome.retry and outcome.run.status == PushRunStatus.FAILED
    assert outcome.run.uploaded_count == 0 and not PushConfirmation.objects.exists()
    assert not any(name in ftp.files() for name in (recording.file_name for recording in recordings))
    monkeypatch.undo()
    ftp.faults.crash_after_files = None

    run = push(pushing, storage).run

    assert run.status == PushRunStatus.DONE and run.uploaded_count == 3
    assert ftp.files() == sorted(recording.file_name for recording in recordings)  # temporary files replaced


def test_wrong_password_is_not_retried_within_the_night(pushing, ftp, storage):
    configure(pushing, ftp, password="wrong")
    recordings_of_day(pushing, day=DAY, count=1, storage=storage)
    outcome = push(pushing, storage)
    assert outcome.run.status == PushRunStatus.FAILED and not outcome.retry
    assert "hasło" in outcome.run.error or "password" in outcome.run.error


def test_the_target_down_is_retried(pushing, storage, tmp_path):
    with writable_ftp_server(tmp_path / "gone") as (server, _faults):
        address = server.address
    services.push_target_save(customer=pushing, data=push_settings(PushProtocol.FTP, address))
    recordings_of_day(pushing, day=DAY, count=1, storage=storage)
    outcome = push(pushing, storage)
    assert outcome.retry and outcome.run.status == PushRunStatus.FAILED
    assert str(address[1]) in outcome.run.error


def test_host_key_is_trusted_on_first_use_and_a_changed_key_stops_the_push(pushing, sftp, storage):
    configure(pushing, sftp)
    recordings_of_day(pushing, day=DAY, count=1, storage=storage)
    push(pushing, storage)
    target = selectors.push_target_get(customer=pushing)
    assert target.host_key_fingerprint.startswith("SHA256:")

    sftp.server.host_key = paramiko.ECDSAKey.generate()
    recordings_of_day(pushing, day=DAY + timedelta(days=1), count=1, storage=storage)
    outcome = push(pushing, storage, day=DAY + timedelta(days=1), now=NIGHT + timedelta(days=1))

    run = outcome.run
    assert run.status == PushRunStatus.FAILED and not outcome.retry
    assert "klucz serwera" in run.error.lower() or "server's key" in run.error
    target.refresh_from_db()
    assert target.host_key_offered and target.host_key_offered != target.host_key_fingerprint
    assert run.uploaded_count == 0 and len(sftp.server.uploads) == 1

    # Until the customer accepts the new key, even a new attempt does not connect.
    again = push(pushing, storage, day=DAY + timedelta(days=1), now=NIGHT + timedelta(days=1))
    assert again.run.status == PushRunStatus.FAILED and len(sftp.server.uploads) == 1
    assert services.push_host_key_accept(customer=pushing)
    accepted = push(pushing, storage, day=DAY + timedelta(days=1), now=NIGHT + timedelta(days=1))
    assert accepted.run.status == PushRunStatus.DONE and len(sftp.server.uploads) == 2


def test_only_one_push_of_a_day_runs_at_a_time(pushing, ftp, storage):
    configure(pushing, ftp)
    recordings_of_day(pushing, day=DAY, count=1, storage=storage)
    now = datetime.now(UTC)
    factories.push_run(pushing, day=DAY, status=PushRunStatus.RUNNING, heartbeat_at=now)

    busy = services.push_day(customer=pushing, day=DAY, storage=storage, now=now)

    assert busy.busy and busy.run is None and ftp.uploads() == []
    # A worker killed mid-push stops beating: after the lease, the next attempt takes over.
    later = services.push_day(
        customer=pushing, day=DAY, storage=storage, now=now + services.LEASE + timedelta(seconds=1)
    )
    assert later.run.status == PushRunStatus.DONE and later.run.uploaded_count == 1


def test_a_recording_deleted_before_the_push_is_reported(pushing, ftp, storage):
    configure(pushing, ftp)
    first, second = recordings_of_day(pushing, day=DAY, count=2, storage=storage)
    ftp.faults.crash_after_files = 0
    push(pushing, storage)  # the target is down the first night: nothing sent, both counted
    ftp.faults.crash_after_files = None
    storage.delete(first.path)  # retention removed the file (the row follows)
    first.delete()

    run = push(pushing, storage).run

    assert run.status == PushRunStatus.DONE
    assert (run.total_count, run.uploaded_count, run.failed_count) == (2, 1, 1)
    assert "usunięte" in run.notes or "deleted" in run.notes


def test_a_missing_file_is_a_failure_with_its_reason(pushing, ftp, storage):
    configure(pushing, ftp)
    (recording,) = recordings_of_day(pushing, day=DAY, count=1, storage=storage)
    storage.delete(recording.path)
    run = push(pushing, storage).run
    assert run.status == PushRunStatus.FAILED
    assert recording.file_name in run.error


def test_without_the_service_nothing_is_sent(customer, ftp, storage):
    configure(customer, ftp)
    recordings_of_day(customer, day=DAY, count=1, storage=storage)
    outcome = push(customer, storage)
    assert outcome.run.status == PushRunStatus.FAILED and not outcome.retry
    assert ftp.uploads() == []


def test_a_day_failing_on_two_nights_warns_by_e_mail_once(
    pushing, user, storage, tmp_path, django_capture_on_commit_callbacks
):
    with writable_ftp_server(tmp_path / "gone") as (server, _faults):
        address = server.address
    services.push_target_save(customer=pushing, data=push_settings(PushProtocol.FTP, address))
    recordings_of_day(pushing, day=DAY, count=1, storage=storage)

    with django_capture_on_commit_callbacks(execute=True):
        push(pushing, storage, now=NIGHT)
        push(pushing, storage, now=NIGHT + timedelta(hours=1))  # a retry in the same night
    assert selectors.push_warnings(customer=pushing) == []
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        run = push(pushing, storage, now=NIGHT + timedelta(days=1)).run
    assert run.failed_nights == 2
    assert selectors.push_warnings(customer=pushing) == [run]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert "2026-03-29" in message.subject and str(address[1]) in message.body

    with django_capture_on_commit_callbacks(execute=True):
        push(pushing, storage, now=NIGHT + timedelta(days=2))
    assert len(mail.outbox) == 1  # once per day, not every night


def test_backlog_is_yesterday_plus_unfinished_days_of_the_week_oldest_first(pushing):
    now = datetime(2026, 4, 10, 0, 5, tzinfo=LOCAL_ZONE)
    for day, status in (
        (date(2026, 4, 1), PushRunStatus.FAILED),  # more than a week ago: given up
        (date(2026, 4, 3), PushRunStatus.FAILED),
        (date(2026, 4, 5), PushRunStatus.DONE),
        (date(2026, 4, 7), PushRunStatus.QUEUED),
    ):
        factories.push_run(pushing, day=day, status=status)
    assert selectors.backlog_days(customer=pushing, now=now) == [date(2026, 4, 3), date(2026, 4, 7), date(2026, 4, 9)]


def test_the_autumn_day_has_25_hours_of_recordings(pushing, ftp, storage):
    configure(pushing, ftp)
    autumn = date(2026, 10, 25)
    early = factories.recording(
        pushing, started_at=datetime(2026, 10, 24, 22, 30, tzinfo=UTC), content=b"a" * 50, storage=storage
    )  # 00:30 local (CEST)
    late = factories.recording(
        pushing, started_at=datetime(2026, 10, 25, 22, 50, tzinfo=UTC), content=b"b" * 50, storage=storage
    )  # 23:50 local (CET)
    factories.recording(  # 00:10 local on the 26th
        pushing, started_at=datetime(2026, 10, 25, 23, 10, tzinfo=UTC), content=b"c" * 50, storage=storage
    )
    run = services.push_day(
        customer=pushing, day=autumn, storage=storage, now=datetime(2026, 10, 26, 0, 5, tzinfo=LOCAL_ZONE)
    ).run
    assert run.status == PushRunStatus.DONE and run.uploaded_count == 2
    folder = ftp.root / "nagrania" / "2026" / "10" / "25"
    assert sorted(path.name for path in folder.iterdir()) == sorted([early.file_name, late.file_name])


def test_recheck_sends_again_what_was_removed_on_the_server(pushing, ftp, storage):
    configure(pushing, ftp)
    first, second = recordings_of_day(pushing, day=DAY, count=2, storage=storage, size=2000)
    push(pushing, storage)
    (ftp.day_folder / first.file_name).unlink()

    run = push(pushing, storage, recheck=True).run

    assert run.status == PushRunStatus.DONE
    assert (ftp.day_folder / first.file_name).read_bytes() == random_audio_bytes(2000, seed=0)
    assert len(ftp.uploads()) == 3
