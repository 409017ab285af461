"""The recordings FTP server through Python's ftplib over loopback: what a customer can and cannot do."""

from __future__ import annotations

import ftplib
import io
import os
import socket
import time

import pytest

from panel.tests import factories as panel_factories
from recordings.choices import FtpEvent
from recordings.ftp.guard import LoginGuard
from recordings.models import FtpAccount, FtpLogEntry
from recordings.testing import free_port_range, ftp_client, running_ftp_server, wait_until
from recordings.tests import factories

TIMEOUT = 5


def connect(server) -> ftplib.FTP:
    return ftp_client(server.address, timeout=TIMEOUT)


def logged_in(server, world, *, login=None, password=None) -> ftplib.FTP:
    client = connect(server)
    client.login(login or world.login, password or world.password)
    return client


def download(client, path, **kwargs) -> bytes:
    buffer = io.BytesIO()
    client.retrbinary(f"RETR {path}", buffer.write, **kwargs)
    return buffer.getvalue()


def listing(client, path="") -> list[str]:
    lines = []
    client.retrlines(f"LIST {path}".strip(), lines.append)
    return lines


def is_disconnected(client) -> bool:
    try:
        client.voidcmd("NOOP")
    except (EOFError, ConnectionError, ftplib.error_temp, OSError):
        return True
    return False


def events(event, **filters):
    return FtpLogEntry.objects.filter(event=event, **filters)


# --- reading


def test_customer_lists_its_day_folders_and_downloads_a_recording(ftp_world, ftp_server):
    client = logged_in(ftp_server, ftp_world)
    assert client.nlst() == ["2026"]
    assert client.nlst("/2026/03") == ["29", "30"]
    (line,) = listing(client, ftp_world.day_path)
    assert line.startswith("-r--r--r--") and line.endswith(ftp_world.file_name) and " 300000 " in line
    facts = dict(client.mlsd(ftp_world.day_path))
    assert facts[ftp_world.file_name]["size"] == "300000"
    assert facts[ftp_world.file_name]["perm"] == "r"
    client.voidcmd("TYPE I")
    assert client.size(ftp_world.file_path) == 300_000
    assert download(client, ftp_world.file_path) == ftp_world.content
    client.cwd(ftp_world.day_path)
    assert client.pwd() == ftp_world.day_path
    assert download(client, ftp_world.file_name) == ftp_world.content
    client.quit()


def test_download_resumes_with_rest(ftp_world, ftp_server):
    client = logged_in(ftp_server, ftp_world)
    assert download(client, ftp_world.file_path, rest=123_456) == ftp_world.content[123_456:]
    with pytest.raises(ftplib.error_perm, match="554"):
        download(client, ftp_world.file_path, rest=10_000_000)
    client.quit()


def test_active_mode_to_the_clients_own_address_works(ftp_world, ftp_server):
    client = logged_in(ftp_server, ftp_world)
    client.set_pasv(False)
    assert download(client, ftp_world.file_path) == ftp_world.content
    client.quit()


def test_log_in_and_download_are_in_the_audit_log(ftp_world, ftp_server):
    client = logged_in(ftp_server, ftp_world)
    download(client, ftp_world.file_path)
    client.quit()
    entry = wait_until(lambda: events(FtpEvent.DOWNLOAD).first())
    assert (entry.login, entry.ip, entry.path, entry.bytes_sent) == (
        "firmaabcde",
        "127.0.0.1",
        ftp_world.file_path,
        300_000,
    )
    assert entry.customer.prefix == "firmaabcde"
    assert events(FtpEvent.LOGIN, login="firmaabcde", ip="127.0.0.1").count() == 1


# --- nothing but reading


@pytest.mark.parametrize(
    "command",
    [
        lambda c, w: c.storbinary("STOR /new.mp3", io.BytesIO(b"upload")),
        lambda c, w: c.storbinary(f"STOR {w.file_path}", io.BytesIO(b"overwrite")),
        lambda c, w: c.storbinary(f"APPE {w.file_path}", io.BytesIO(b"append")),
        lambda c, w: c.storbinary("STOU", io.BytesIO(b"unique")),
        lambda c, w: c.delete(w.file_path),
        lambda c, w: c.rename(w.file_path, "/renamed.mp3"),
        lambda c, w: c.sendcmd(f"RNTO {w.file_path}"),
        lambda c, w: c.mkd("/2027"),
        lambda c, w: c.rmd(w.day_path),
        lambda c, w: c.sendcmd(f"SITE CHMOD 777 {w.file_path}"),
        lambda c, w: c.sendcmd(f"MFMT 20200101000000 {w.file_path}"),
        lambda c, w: c.sendcmd("SITE EXEC /bin/sh"),
    ],
    ids=[
        "STOR",
        "STOR-over",
        "APPE",
        "STOU",
        "DELE",
        "RNFR-RNTO",
        "RNTO",
        "MKD",
        "RMD",
        "SITE-CHMOD",
        "MFMT",
        "SITE-EXEC",
    ],
)
def test_every_changing_command_is_refused(ftp_world, ftp_server, command):
    client = logged_in(ftp_server, ftp_world)
    client.voidcmd("TYPE I")
    with pytest.raises(ftplib.error_perm, match=r"^5\d\d"):
        command(client, ftp_world)
    # Nothing changed on the server.
    assert download(client, ftp_world.file_path) == ftp_world.content
    assert client.nlst() == ["2026"]
    assert client.nlst(ftp_world.day_path) == [ftp_world.file_name]
    client.quit()
    wait_until(lambda: events(FtpEvent.REFUSED, login="firmaabcde").exists())


# --- no way out of the customer's own tree


@pytest.mark.parametrize(
    "command",
    [
        "CWD ../..",
        "CWD /..",
        "CDUP",
        "RETR ../drugafirma/2026/03/29/x.mp3",
        "RETR ../../../../etc/passwd",
        "LIST ../",
        "SIZE ../drugafirma",
        "RETR /etc/passwd",
        "RETR /drugafirma/2026/03/29/2026-03-29_04-30-00_in_48221234567_10.mp3",
        "CWD /drugafirma",
        "RETR 2026\\..\\..\\drugafirma",
        "MLST /../..",
    ],
)
def test_paths_outside_the_customers_tree_are_refused(ftp_world, ftp_server, command):
    client = logged_in(ftp_server, ftp_world)
    client.voidcmd("TYPE I")
    with pytest.raises(ftplib.error_perm, match=r"^550"):
        if command.startswith(("RETR", "LIST")):
            client.retrbinary(command, lambda data: pytest.fail(f"received data for {command!r}"))
        else:
            client.sendcmd(command)
    assert client.pwd() == "/"
    client.quit()


def test_traversal_from_a_sub_folder_stays_inside(ftp_world, ftp_server):
    client = logged_in(ftp_server, ftp_world)
    client.cwd(ftp_world.day_path)
    client.cwd("../../..")  # back to "/", the customer's own root: allowed
    assert client.pwd() == "/"
    client.cwd(ftp_world.day_path)
    with pytest.raises(ftplib.error_perm, match="550"):
        client.cwd("../../../..")
    assert client.pwd() == ftp_world.day_path
    client.quit()


def test_symbolic_links_leading_out_are_invisible_and_unreadable(ftp_world, ftp_server, tmp_path):
    outside = tmp_path / "server-secret.txt"
    outside.write_text("root:x:0:0")
    day = ftp_world.storage.root / "firmaabcde" / ftp_world.day_path.strip("/")
    os.symlink(outside, day / "escape.mp3")
    os.symlink(ftp_world.storage.root / ftp_world.other_path, day / "neighbour.mp3")
    os.symlink(ftp_world.storage.root / "drugafirma", ftp_world.storage.root / "firmaabcde" / "drugafirma")
    client = logged_in(ftp_server, ftp_world)
    client.voidcmd("TYPE I")
    assert client.nlst(ftp_world.day_path) == [ftp_world.file_name]
    assert client.nlst() == ["2026"]
    for name in ("escape.mp3", "neighbour.mp3"):
        with pytest.raises(ftplib.error_perm, match="550"):
            download(client, f"{ftp_world.day_path}/{name}")
    with pytest.raises(ftplib.error_perm, match="550"):
        client.cwd("/drugafirma")
    client.quit()


def test_another_customer_sees_only_its_own_files(ftp_world, ftp_server):
    client = logged_in(ftp_server, ftp_world, login=ftp_world.other_login, password=ftp_world.other_password)
    theirs = "/" + ftp_world.other_path.partition("/")[2]
    assert client.nlst(theirs.rsplit("/", 1)[0]) == [theirs.rsplit("/", 1)[1]]
    assert len(download(client, theirs)) == 2000
    with pytest.raises(ftplib.error_perm, match="550"):
        download(client, ftp_world.file_path)  # same day, but firmaabcde's file name does not exist here
    client.quit()


def test_a_customer_without_recordings_gets_an_empty_folder(ftp_world, ftp_server):
    from recordings.services import ftp_password_regenerate

    newcomer = panel_factories.customer(name="Nowa Firma", prefix="nowafirma")
    client = logged_in(ftp_server, ftp_world, login="nowafirma", password=ftp_password_regenerate(customer=newcomer))
    assert client.nlst() == []
    assert client.pwd() == "/"
    client.quit()
    assert ftp_world.storage.isdir("nowafirma")


def test_passwords_are_not_interchangeable(ftp_world, ftp_server):
    with pytest.raises(ftplib.error_perm, match="530"):
        logged_in(ftp_server, ftp_world, login=ftp_world.login, password=ftp_world.other_password)


# --- log-in rules


@pytest.mark.parametrize("password", ["", "guest@example.com"])
def test_anonymous_is_refused(ftp_world, ftp_server, password):
    client = connect(ftp_server)
    with pytest.raises(ftplib.error_perm, match="530 Anonymous access not allowed"):
        client.login("anonymous", password)


def test_unknown_login_and_wrong_password_get_the_same_answer(ftp_world, ftp_server):
    answers = []
    for login in ("firmaabcde", "nieistnieje"):
        client = connect(ftp_server)
        with pytest.raises(ftplib.error_perm) as error:
            client.login(login, "wrong-password")
        answers.append(str(error.value))
    assert answers[0] == answers[1] == "530 Authentication failed."
    wait_until(lambda: events(FtpEvent.LOGIN_FAILED).count() == 2)
    assert set(events(FtpEvent.LOGIN_FAILED).values_list("login", flat=True)) == {"firmaabcde", "nieistnieje"}


def test_disabled_account_and_inactive_customer_cannot_log_in(ftp_world, ftp_server, customer, other_customer):
    FtpAccount.objects.filter(customer=customer).update(is_enabled=False)
    other_customer.is_active = False
    other_customer.save()
    for login, password in ((ftp_world.login, ftp_world.password), (ftp_world.other_login, ftp_world.other_password)):
        with pytest.raises(ftplib.error_perm, match="530"):
            logged_in(ftp_server, ftp_world, login=login, password=password)


def test_a_new_password_takes_effect_at_once(ftp_world, ftp_server, customer):
    from recordings.services import ftp_password_regenerate

    new_password = ftp_password_regenerate(customer=customer)
    with pytest.raises(ftplib.error_perm, match="530"):
        logged_in(ftp_server, ftp_world)
    logged_in(ftp_server, ftp_world, password=new_password).quit()


def test_third_failed_log_in_disconnects(ftp_world, ftp_server):
    client = connect(ftp_server)
    for attempt in range(1, 4):
        with pytest.raises(ftplib.error_perm) as error:
            client.login("firmaabcde", f"wrong-{attempt}")
        assert error.value.args[0].startswith("530")
    assert "Disconnecting" in error.value.args[0]
    assert is_disconnected(client)


def test_ten_failures_from_one_address_ban_it_until_the_ban_ends(ftp_world):
    now = [1000.0]
    guard = LoginGuard(max_failures=10, window=600, ban_seconds=900, clock=lambda: now[0])
    with running_ftp_server(storage=ftp_world.storage, guard=guard) as server:
        failures = 0
        while failures < 10:
            client = connect(server)
            for _ in range(3):
                if failures == 10:
                    break
                now[0] += 30  # ten guesses within five minutes
                with pytest.raises(ftplib.error_perm):
                    client.login("firmaabcde", "guess")
                failures += 1
            client.close()
        # Even the right password is refused now, already when connecting.
        with pytest.raises(ftplib.error_temp, match="421 Too many failed log-ins"):
            logged_in(server, ftp_world)
        wait_until(lambda: events(FtpEvent.BANNED, ip="127.0.0.1").count() >= 2)  # when banned and when refused
        now[0] += 899
        with pytest.raises(ftplib.error_temp, match="421"):
            connect(server)
        now[0] += 2
        logged_in(server, ftp_world).quit()


def test_failures_spread_over_more_than_ten_minutes_do_not_ban(ftp_world):
    now = [0.0]
    guard = LoginGuard(clock=lambda: now[0])
    with running_ftp_server(storage=ftp_world.storage, guard=guard) as server:
        for _ in range(12):
            client = connect(server)
            with pytest.raises(ftplib.error_perm):
                client.login("firmaabcde", "guess")
            client.close()
            now[0] += 70  # 9 failures fit in any 10 minutes
        logged_in(server, ftp_world).quit()


def test_wrong_password_is_answered_after_at_least_three_seconds(ftp_world):
    """The one test with pyftpdlib's real delay (the others set it to 0 to stay fast)."""
    with running_ftp_server(storage=ftp_world.storage, auth_failed_delay=3) as server:
        client = connect(server)
        started = time.monotonic()
        with pytest.raises(ftplib.error_perm, match="530"):
            client.login("firmaabcde", "wrong")
        assert time.monotonic() - started >= 3.0
        started = time.monotonic()
        client.login(ftp_world.login, ftp_world.password)  # a right password is not delayed
        assert time.monotonic() - started < 1.0
        client.quit()


def test_commands_before_log_in_are_refused_without_flooding_the_audit_log(ftp_world, ftp_server):
    client = connect(ftp_server)
    for _ in range(20):
        with pytest.raises(ftplib.error_perm, match="530 Log in with USER and PASS first"):
            client.sendcmd(f"RETR {ftp_world.file_path}")
    client.quit()
    wait_until(lambda: events(FtpEvent.REFUSED).exists())
    time.sleep(0.1)
    assert events(FtpEvent.REFUSED).count() == 1


# --- data connections and limits


def test_port_and_eprt_only_to_the_clients_own_address_and_unprivileged_ports(ftp_world, ftp_server):
    client = logged_in(ftp_server, ftp_world)
    for command in (
        "PORT 10,1,2,3,195,80",  # someone else's host (FXP / bounce)
        "EPRT |1|10.1.2.3|50000|",
        "PORT 127,0,0,1,0,25",  # own host, privileged port
        "EPRT |1|127.0.0.1|22|",
    ):
        with pytest.raises(ftplib.error_perm, match="^501"):
            client.sendcmd(command)
    client.quit()
    wait_until(lambda: events(FtpEvent.REFUSED, detail__startswith="PORT 501").exists())


def test_passive_ports_come_from_the_configured_range(ftp_world):
    first, last = free_port_range(3)
    with running_ftp_server(storage=ftp_world.storage, passive_ports=(first, last)) as server:
        client = logged_in(server, ftp_world)
        for _ in range(3):
            _, port = client.makepasv()
            assert first <= port <= last
            client.abort()
        assert download(client, ftp_world.file_path) == ftp_world.content
        client.quit()


def test_connections_per_address_are_limited(ftp_world, start_ftp_server):
    server = start_ftp_server(max_connections_per_ip=2)
    clients = [connect(server), connect(server)]
    with pytest.raises(ftplib.error_temp, match="421 Too many connections from the same IP"):
        connect(server)
    clients.pop().quit()
    time.sleep(0.1)
    clients.append(connect(server))
    for client in clients:
        client.quit()


def test_total_connections_are_limited(ftp_world, start_ftp_server):
    server = start_ftp_server(max_connections=2)
    clients = [connect(server), connect(server)]
    with pytest.raises(ftplib.error_temp, match="421 Too many connections"):
        connect(server)
    for client in clients:
        client.quit()
    wait_until(lambda: events(FtpEvent.REFUSED, detail="too many connections").exists())


def test_idle_clients_are_disconnected(ftp_world, start_ftp_server):
    server = start_ftp_server(idle_timeout=1)
    client = logged_in(server, ftp_world)
    time.sleep(1.5)
    assert is_disconnected(client)


def test_stopping_the_server_closes_client_connections(ftp_world):
    with running_ftp_server(storage=ftp_world.storage) as server:
        client = logged_in(server, ftp_world)
        address = server.address
    assert is_disconnected(client)
    with pytest.raises(OSError), socket.create_connection(address, timeout=1):
        pass


# --- throughput without shortcuts: whole files, audit rows batched but complete


def test_a_large_recording_arrives_whole_and_resumes_anywhere(ftp_world, ftp_server, customer):
    from datetime import UTC, datetime

    from recordings.testing import random_audio_bytes

    content = random_audio_bytes(3 * 1024 * 1024 + 12_345, seed=7)  # several sendfile() calls
    recording = factories.recording(
        customer, started_at=datetime(2026, 3, 29, 4, 0, tzinfo=UTC), content=content, storage=ftp_world.storage
    )
    path = "/" + recording.path.split("/", 1)[1]
    client = logged_in(ftp_server, ftp_world)
    assert download(client, path) == content
    assert download(client, path, rest=1_500_000) == content[1_500_000:]
    client.quit()
    entries = wait_until(lambda: list(events(FtpEvent.DOWNLOAD, path=path).order_by("created_at")))
    assert [entry.bytes_sent for entry in entries] == [len(content), len(content) - 1_500_000]


def test_audit_rows_keep_the_time_of_the_event_and_are_written_when_the_server_stops(ftp_world):
    from django.utils import timezone

    with running_ftp_server(storage=ftp_world.storage) as server:
        server.server.handler.audit_log.delay = 3600  # from now on only closing the server writes the rows
        client = logged_in(server, ftp_world)
        before = timezone.now()
        download(client, ftp_world.file_path)
        client.quit()  # answered after the server has noted the download (the 226 may come just before)
        after = timezone.now()
        time.sleep(0.5)
        assert not events(FtpEvent.DOWNLOAD).exists()
    entry = events(FtpEvent.DOWNLOAD).get()  # written on the way out, no waiting needed
    assert before <= entry.created_at <= after
    assert (entry.path, entry.bytes_sent, entry.detail) == (ftp_world.file_path, 300_000, "complete")
    assert events(FtpEvent.LOGIN, login="firmaabcde").count() == 1


def test_audit_rows_wait_at_most_the_delay_or_the_batch_size(transactional_db):
    from types import SimpleNamespace

    from recordings.ftp.audit import AuditLog

    class Loop:
        def __init__(self):
            self.timers = []

        def call_later(self, seconds, target):
            self.timers.append((seconds, target))
            return SimpleNamespace(cancel=lambda: None)

    loop, log = Loop(), AuditLog(delay=0.25, batch=3)
    log.add(loop, event=FtpEvent.LOGIN_FAILED, login="a", ip="192.0.2.1", detail="Authentication failed.")
    log.add(loop, event=FtpEvent.LOGIN_FAILED, login="b", ip="192.0.2.1", detail="Authentication failed.")
    assert not FtpLogEntry.objects.exists() and [seconds for seconds, _target in loop.timers] == [0.25]
    loop.timers[0][1]()  # the delay is over
    assert list(FtpLogEntry.objects.order_by("pk").values_list("login", flat=True)) == ["a", "b"]
    for login in "cde":
        log.add(loop, event=FtpEvent.LOGIN_FAILED, login=login, ip="192.0.2.1")
    assert FtpLogEntry.objects.count() == 5  # a full batch does not wait
    log.add(None, event=FtpEvent.REFUSED, login="f")  # no event loop: written at once
    assert FtpLogEntry.objects.count() == 6


def test_sigterm_stops_the_server_like_ctrl_c_and_writes_the_waiting_audit_rows(ftp_world):
    import signal
    import threading

    from recordings.ftp.server import FtpServerConfig, build_server

    server = build_server(
        FtpServerConfig(host="127.0.0.1", port=0, auth_failed_delay=0, idle_timeout=30), storage=ftp_world.storage
    )
    server.handler.audit_log.delay = 3600
    previous = signal.getsignal(signal.SIGTERM)
    failures = []

    def client_then_sigterm():
        try:
            client = logged_in(server, ftp_world)
            download(client, ftp_world.file_path)
            client.quit()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)
        finally:
            os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=client_then_sigterm, daemon=True)
    thread.start()
    server.serve_forever(timeout=0.05)  # in the main thread, as runftpserver runs it; returns on SIGTERM
    thread.join(timeout=10)

    assert failures == []
    assert signal.getsignal(signal.SIGTERM) is previous
    assert events(FtpEvent.DOWNLOAD, path=ftp_world.file_path).count() == 1
