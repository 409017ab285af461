"""`manage.py runftpserver`: its flags, its refusals, and a real run with a generated development certificate."""

from __future__ import annotations

import ftplib
import os
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from recordings.ftp.server import FtpServerConfig, parse_port_range
from recordings.testing import free_port_range, ftp_client

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.smoke
@pytest.mark.parametrize("value", ["60000", "a-b", "60100-60000", "80-90", "60000-70000"])
def test_bad_passive_port_ranges_are_refused(value):
    with pytest.raises(ValueError):
        parse_port_range(value)
    with pytest.raises(CommandError, match="--passive-ports"):
        call_command("runftpserver", "--passive-ports", value)


@pytest.mark.smoke
def test_port_range_is_parsed():
    assert parse_port_range("60000-60100") == (60000, 60100)
    assert parse_port_range(" 2000-2000 ") == (2000, 2000)


def test_required_tls_needs_the_tls_flag(settings):
    settings.FTP_REQUIRE_TLS = True
    with pytest.raises(CommandError, match="--tls"):
        call_command("runftpserver", "--port", "0")


def test_tls_in_production_needs_an_existing_certificate(settings, tmp_path):
    settings.DEBUG = False
    settings.FTP_TLS_CERTFILE = str(tmp_path / "missing-cert.pem")
    settings.FTP_TLS_KEYFILE = str(tmp_path / "missing-key.pem")
    with pytest.raises(CommandError, match="FTP_TLS_CERTFILE"):
        call_command("runftpserver", "--port", "0", "--tls")
    assert not (tmp_path / "missing-cert.pem").exists()


def test_a_broken_certificate_is_a_clear_error(settings, tmp_path, tls_certificate):
    from recordings.ftp.certs import generate_self_signed_certificate

    generate_self_signed_certificate(tmp_path / "other-cert.pem", tmp_path / "other-key.pem")
    settings.FTP_TLS_CERTFILE = tls_certificate[0]
    settings.FTP_TLS_KEYFILE = str(tmp_path / "other-key.pem")  # a key that does not belong to the certificate
    with pytest.raises(CommandError, match="cannot use the TLS certificate"):
        call_command("runftpserver", "--port", "0", "--tls")
    (tmp_path / "garbage.pem").write_text("not a certificate")
    settings.FTP_TLS_CERTFILE = str(tmp_path / "garbage.pem")
    with pytest.raises(CommandError, match="cannot use the TLS certificate"):
        call_command("runftpserver", "--port", "0", "--tls")


def test_config_comes_from_settings(settings):
    settings.FTP_PASSIVE_PORTS = "61000-61010"
    settings.FTP_MAX_CONNECTIONS = 50
    settings.FTP_MAX_CONNECTIONS_PER_IP = 4
    settings.FTP_IDLE_TIMEOUT = 120
    settings.FTP_REQUIRE_TLS = True
    settings.FTP_PUBLIC_HOST = "203.0.113.10"
    config = FtpServerConfig.from_settings(host="0.0.0.0", tls=True)  # noqa: S104
    assert config.passive_ports == (61000, 61010)
    assert (config.max_connections, config.max_connections_per_ip, config.idle_timeout) == (50, 4, 120)
    assert config.require_tls and config.tls
    assert config.auth_failed_delay >= 3 and config.max_login_attempts == 3
    assert (config.ban_failures, config.ban_window_seconds) == (10, 600)
    assert config.masquerade_address == "203.0.113.10"  # behind NAT the PASV reply names the public address
    assert FtpServerConfig.from_settings(host="127.0.0.1").masquerade_address is None
    settings.FTP_PUBLIC_HOST = "ftp.example.pl"
    assert FtpServerConfig.from_settings(host="0.0.0.0").masquerade_address is None  # noqa: S104


def test_runftpserver_with_tls_generates_a_certificate_and_serves(tmp_path):
    port = free_port_range(1)[0]
    passive_first, passive_last = free_port_range(5)
    certfile, keyfile = tmp_path / "ftp" / "cert.pem", tmp_path / "ftp" / "key.pem"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "centrala.settings",
        "DEBUG": "1",
        "CENTRALA_VAR_DIR": str(tmp_path / "var"),
        "SECRET_KEY": "test-only-secret",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "RECORDINGS_ROOT": str(tmp_path / "recordings"),
        "FTP_TLS_CERTFILE": str(certfile),
        "FTP_TLS_KEYFILE": str(keyfile),
        "FTP_REQUIRE_TLS": "false",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "runftpserver",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--passive-ports",
            f"{passive_first}-{passive_last}",
            "--tls",
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        client = _connect_when_ready(port, certfile, process)
        assert client.getwelcome() == "220 Centrala recordings FTP server ready."
        client.auth()  # AUTH TLS, verified against the generated certificate for 127.0.0.1
        assert isinstance(client.sock, ssl.SSLSocket)
        # This database has no tables: the log-in check fails politely instead of dropping the connection.
        with pytest.raises(ftplib.error_perm, match="530"):
            client.login("firmaabcde", "whatever")
        client.quit()
        assert oct(keyfile.stat().st_mode & 0o777) == "0o600"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            output, _ = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()  # never leave a server behind, even when the test fails
            output, _ = process.communicate()
            pytest.fail(f"runftpserver did not stop within 10 s of Ctrl+C:\n{output}")
    assert process.returncode == 0, output
    assert "Generated a self-signed development certificate" in output
    assert f"passive ports {passive_first}-{passive_last}" in output


def _connect_when_ready(port, certfile, process) -> ftplib.FTP_TLS:
    deadline = time.monotonic() + 20
    while True:
        if process.poll() is not None:
            raise AssertionError(process.stdout.read())
        if certfile.exists():
            try:
                return ftp_client(("127.0.0.1", port), cafile=str(certfile))
            except (ConnectionRefusedError, ssl.SSLError):
                pass
        if time.monotonic() > deadline:
            raise AssertionError("runftpserver did not start")
        time.sleep(0.1)
