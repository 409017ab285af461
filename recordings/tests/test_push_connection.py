""" "Testuj połączenie" against real FTP, FTPS and SFTP servers on 127.0.0.1: every step in plain words."""

from __future__ import annotations

import socket
import time

import paramiko
import pytest

from recordings.push.choices import PushProtocol
from recordings.push.connection_test import FAILED, NOT_CHECKED, OK, SKIPPED, run_connection_test
from recordings.push.services import push_connection_test, push_target_save
from recordings.push.testing import TARGET_PASSWORD, TARGET_USER, push_settings, writable_ftp_server
from recordings.push.transports import Endpoint, load_private_key
from recordings.tests.sftp_server import SftpTestServer

FOLDER = "/nagrania/2026/03/29"


def endpoint(protocol, address, **overrides) -> Endpoint:
    values = {
        "protocol": protocol,
        "host": address[0],
        "port": address[1],
        "username": TARGET_USER,
        "password": TARGET_PASSWORD,
        "verify_tls": False,
        "allow_private": True,
    }
    values.update(overrides)
    return Endpoint(**values)


def statuses(result) -> dict:
    return {step.key: step.status for step in result.steps}


@pytest.fixture
def ftp_target(tmp_path):
    with writable_ftp_server(tmp_path / "ftp") as (server, faults):
        yield server


@pytest.fixture
def ftps_target(tmp_path, tls_certificate):
    with writable_ftp_server(tmp_path / "ftps", tls=tls_certificate) as (server, faults):
        yield server


@pytest.fixture
def sftp_target(tmp_path):
    with SftpTestServer(tmp_path / "sftp", username=TARGET_USER, password=TARGET_PASSWORD) as server:
        yield server


def test_ftp_every_step_ok_and_the_test_file_is_gone(ftp_target, tmp_path):
    result = run_connection_test(endpoint(PushProtocol.FTP, ftp_target.address), folder=FOLDER)
    assert result.ok, result.steps
    assert statuses(result) == {"dns": OK, "connect": OK, "tls": SKIPPED, "login": OK, "write": OK}
    assert "bez szyfrowania" in result.steps[2].detail or "unencrypted" in result.steps[2].detail
    folder = tmp_path / "ftp" / "nagrania" / "2026" / "03" / "29"
    assert folder.is_dir()  # the missing folders were created
    assert list(folder.iterdir()) == []  # and the test file removed again


def test_ftps_with_a_self_signed_certificate(ftps_target):
    trusted = run_connection_test(endpoint(PushProtocol.FTPS, ftps_target.address, verify_tls=True), folder=FOLDER)
    assert statuses(trusted) == {"dns": OK, "connect": OK, "tls": FAILED, "login": NOT_CHECKED, "write": NOT_CHECKED}
    tls = trusted.steps[2]
    assert "certyfikat" in tls.detail.lower() or "certificate" in tls.detail.lower()
    assert "self-signed" in tls.detail or "self signed" in tls.detail

    unverified = run_connection_test(endpoint(PushProtocol.FTPS, ftps_target.address), folder=FOLDER)
    assert unverified.ok, unverified.steps
    assert "TLS" in unverified.steps[2].detail


def test_ftps_against_a_server_without_tls_is_explained(ftp_target):
    result = run_connection_test(endpoint(PushProtocol.FTPS, ftp_target.address), folder=FOLDER)
    assert statuses(result)["tls"] == FAILED
    assert "AUTH TLS" in result.steps[2].detail


def test_wrong_password_fails_at_the_log_in_step(ftp_target, sftp_target):
    for protocol, server in ((PushProtocol.FTP, ftp_target), (PushProtocol.SFTP, sftp_target)):
        result = run_connection_test(endpoint(protocol, server.address, password="wrong"), folder=FOLDER)
        assert statuses(result)["login"] == FAILED, protocol
        assert statuses(result)["write"] == NOT_CHECKED
        assert statuses(result)["connect"] == OK
        login = next(step for step in result.steps if step.key == "login")
        assert "hasło" in login.detail or "password" in login.detail


def test_sftp_every_step_ok_and_the_key_fingerprint_is_reported(sftp_target, tmp_path):
    result = run_connection_test(endpoint(PushProtocol.SFTP, sftp_target.address), folder=FOLDER)
    assert result.ok, result.steps
    assert set(statuses(result).values()) == {OK}
    assert result.fingerprint.startswith("SHA256:")
    assert result.fingerprint in result.steps[2].detail
    assert list((tmp_path / "sftp" / "nagrania" / "2026" / "03" / "29").iterdir()) == []


def test_sftp_log_in_with_a_private_key(tmp_path):
    key = paramiko.ECDSAKey.generate()
    with SftpTestServer(tmp_path / "sftp", username=TARGET_USER, authorized_key=key) as server:
        import io

        text = io.StringIO()
        key.write_private_key(text)
        assert load_private_key(text.getvalue()).asbytes() == key.asbytes()
        result = run_connection_test(
            endpoint(PushProtocol.SFTP, server.address, password="", private_key=text.getvalue()), folder=FOLDER
        )
        assert result.ok, result.steps


def test_nothing_listening_fails_at_connect(ftp_target):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run_connection_test(endpoint(PushProtocol.FTP, ("127.0.0.1", port)), folder=FOLDER)
    assert statuses(result)["dns"] == OK
    assert statuses(result)["connect"] == FAILED
    assert str(port) in result.steps[1].detail


def test_unknown_name_fails_at_dns(monkeypatch):
    def unknown(host, *args, **kwargs):  # answer like a resolver would, without asking one outside 127.0.0.1
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", unknown)
    result = run_connection_test(endpoint(PushProtocol.SFTP, ("no-such-host.invalid", 22)), folder=FOLDER)
    assert statuses(result)["dns"] == FAILED
    assert "no-such-host.invalid" in result.steps[0].detail


def test_private_addresses_are_refused_when_not_allowed(ftp_target):
    result = run_connection_test(endpoint(PushProtocol.FTP, ftp_target.address, allow_private=False), folder=FOLDER)
    assert statuses(result)["dns"] == FAILED
    assert statuses(result)["connect"] == NOT_CHECKED


def test_a_name_that_resolves_to_a_private_address_is_refused_before_connecting(ftp_target):
    port = ftp_target.address[1]
    result = run_connection_test(endpoint(PushProtocol.FTP, ("localhost", port), allow_private=False), folder=FOLDER)
    assert statuses(result)["dns"] == FAILED
    assert "localhost" in result.steps[0].detail and statuses(result)["connect"] == NOT_CHECKED


def test_a_server_that_never_answers_is_given_up_within_the_limit():
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, then says nothing
        started = time.monotonic()
        result = run_connection_test(endpoint(PushProtocol.FTP, silent.getsockname()), folder=FOLDER, seconds=1.5)
        assert time.monotonic() - started < 3
    assert statuses(result)["connect"] == FAILED


def test_a_silent_ssh_server_is_given_up_within_the_limit():
    with socket.create_server(("127.0.0.1", 0)) as silent:
        started = time.monotonic()
        result = run_connection_test(endpoint(PushProtocol.SFTP, silent.getsockname()), folder=FOLDER, seconds=1.5)
        assert time.monotonic() - started < 3
    assert statuses(result)["connect"] == OK
    assert statuses(result)["tls"] == FAILED


@pytest.mark.django_db
def test_first_test_remembers_the_key_and_a_changed_key_is_reported(customer, sftp_target):
    from recordings.push.selectors import push_target_get

    push_target_save(customer=customer, data=push_settings(PushProtocol.SFTP, sftp_target.address))
    first = push_connection_test(customer=customer, data=push_settings(PushProtocol.SFTP, sftp_target.address))
    assert first.ok
    target = push_target_get(customer=customer)
    assert target.host_key_fingerprint == first.fingerprint

    sftp_target.host_key = paramiko.ECDSAKey.generate()  # the server got a new key (or someone is in between)
    second = push_connection_test(customer=customer, data=push_settings(PushProtocol.SFTP, sftp_target.address))
    assert not second.ok
    assert second.host_key_changed is not None
    assert statuses(second)["tls"] == FAILED and statuses(second)["login"] == NOT_CHECKED
    target.refresh_from_db()
    assert target.host_key_fingerprint == first.fingerprint  # still pinned
    assert target.host_key_offered == second.fingerprint != first.fingerprint
