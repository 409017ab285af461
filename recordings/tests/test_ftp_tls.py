"""Explicit FTPS (AUTH TLS) through ftplib.FTP_TLS, and the mode that refuses log-in without TLS."""

from __future__ import annotations

import ftplib
import io

import pytest

from recordings.choices import FtpEvent
from recordings.models import FtpLogEntry
from recordings.testing import ftp_client, running_ftp_server, wait_until

TIMEOUT = 5


def tls_client(server, certfile) -> ftplib.FTP_TLS:
    # Verifies the certificate and the name 127.0.0.1.
    return ftp_client(server.address, cafile=certfile, timeout=TIMEOUT)


def download(client, path, **kwargs) -> bytes:
    buffer = io.BytesIO()
    client.retrbinary(f"RETR {path}", buffer.write, **kwargs)
    return buffer.getvalue()


@pytest.fixture
def tls_server(ftp_world, tls_certificate):
    certfile, keyfile = tls_certificate
    with running_ftp_server(storage=ftp_world.storage, tls=True, certfile=certfile, keyfile=keyfile) as server:
        yield server


@pytest.fixture
def tls_required_server(ftp_world, tls_certificate):
    certfile, keyfile = tls_certificate
    with running_ftp_server(
        storage=ftp_world.storage, tls=True, certfile=certfile, keyfile=keyfile, require_tls=True
    ) as server:
        yield server


def test_encrypted_log_in_listing_and_download(ftp_world, tls_server, tls_certificate):
    client = tls_client(tls_server, tls_certificate[0])
    assert "AUTH TLS" in client.sendcmd("FEAT")
    client.login(ftp_world.login, ftp_world.password)  # ftplib sends AUTH TLS first
    client.prot_p()
    assert client.nlst(ftp_world.day_path) == [ftp_world.file_name]
    assert download(client, ftp_world.file_path) == ftp_world.content
    assert download(client, ftp_world.file_path, rest=250_000) == ftp_world.content[250_000:]
    client.quit()
    entry = wait_until(lambda: FtpLogEntry.objects.filter(event=FtpEvent.LOGIN).first())
    assert entry.detail == "TLS"


def test_tls_server_still_refuses_writes(ftp_world, tls_server, tls_certificate):
    client = tls_client(tls_server, tls_certificate[0])
    client.login(ftp_world.login, ftp_world.password)
    client.prot_p()
    with pytest.raises(ftplib.error_perm, match="550"):
        client.storbinary("STOR /x.mp3", io.BytesIO(b"x"))
    with pytest.raises(ftplib.error_perm, match="550"):
        client.delete(ftp_world.file_path)
    client.quit()


def test_plain_log_in_is_allowed_when_tls_is_only_offered(ftp_world, tls_server):
    client = ftp_client(tls_server.address, timeout=TIMEOUT)
    client.login(ftp_world.login, ftp_world.password)
    assert download(client, ftp_world.file_path) == ftp_world.content
    client.quit()


def test_tls_required_refuses_a_plain_log_in(ftp_world, tls_required_server):
    client = ftp_client(tls_required_server.address, timeout=TIMEOUT)
    with pytest.raises(ftplib.error_perm, match="550 SSL/TLS required on the control channel"):
        client.login(ftp_world.login, ftp_world.password)
    client.close()
    entry = wait_until(lambda: FtpLogEntry.objects.filter(event=FtpEvent.REFUSED, detail__startswith="USER").first())
    assert ftp_world.password not in entry.detail + entry.path


def test_tls_required_refuses_an_unencrypted_data_channel(ftp_world, tls_required_server, tls_certificate):
    client = tls_client(tls_required_server, tls_certificate[0])
    client.login(ftp_world.login, ftp_world.password)
    with pytest.raises(ftplib.error_perm, match="550 SSL/TLS required on the data channel"):
        client.nlst()
    client.prot_p()
    assert download(client, ftp_world.file_path) == ftp_world.content
    client.quit()


def test_tls_required_needs_a_tls_server(ftp_world):
    with pytest.raises(ValueError, match="TLS"), running_ftp_server(storage=ftp_world.storage, require_tls=True):
        pass
