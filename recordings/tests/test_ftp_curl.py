"""The FTP server through curl, a client we did not write: plain FTP and explicit FTPS (`--ssl-reqd`)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from recordings.testing import running_ftp_server

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")

CURL = ["curl", "--silent", "--show-error", "--max-time", "10"]


def curl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CURL, *args], capture_output=True, timeout=30, check=False)


def url(server, world, path="/", *, login=None, password=None) -> str:
    host, port = server.address
    return f"ftp://{login or world.login}:{password or world.password}@{host}:{port}{path}"


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


def test_curl_lists_and_downloads(ftp_world, ftp_server, tmp_path):
    listed = curl(url(ftp_server, ftp_world, ftp_world.day_path + "/"))
    assert listed.returncode == 0, listed.stderr
    assert ftp_world.file_name in listed.stdout.decode()
    target = tmp_path / "copy.mp3"
    fetched = curl("-o", str(target), url(ftp_server, ftp_world, ftp_world.file_path))
    assert fetched.returncode == 0, fetched.stderr
    assert target.read_bytes() == ftp_world.content


def test_curl_resumes_a_partial_download(ftp_world, ftp_server, tmp_path):
    target = tmp_path / "partial.mp3"
    target.write_bytes(ftp_world.content[:100_000])
    resumed = curl("-C", "-", "-o", str(target), url(ftp_server, ftp_world, ftp_world.file_path))
    assert resumed.returncode == 0, resumed.stderr
    assert target.read_bytes() == ftp_world.content


def test_curl_upload_and_quote_commands_are_refused(ftp_world, ftp_server, tmp_path):
    upload = tmp_path / "upload.mp3"
    upload.write_bytes(b"not welcome")
    stored = curl("-T", str(upload), url(ftp_server, ftp_world, "/2026/03/29/upload.mp3"))
    assert stored.returncode != 0
    for command in (f"DELE {ftp_world.file_path}", "MKD /new", f"SITE CHMOD 777 {ftp_world.file_path}"):
        quoted = curl("-Q", command, url(ftp_server, ftp_world, "/"))
        assert quoted.returncode == 21, (command, quoted.stderr)  # 21: the quote command failed
    assert ftp_world.storage.listdir("firmaabcde/2026/03/29")[0].name == ftp_world.file_name
    assert len(ftp_world.storage.listdir("firmaabcde/2026/03/29")) == 1


def test_curl_cannot_reach_outside_or_another_customers_files(ftp_world, ftp_server):
    theirs = "/" + ftp_world.other_path.partition("/")[2]
    for path in ("/../../etc/passwd", "/%2e%2e/drugafirma/", theirs, "/etc/passwd"):
        result = curl(url(ftp_server, ftp_world, path))
        assert result.returncode != 0, path
        assert b"root:" not in result.stdout


def test_curl_with_a_wrong_password_is_refused(ftp_world, ftp_server):
    result = curl(url(ftp_server, ftp_world, "/", password="wrong"))
    assert result.returncode == 67  # 67: the user name or password was not accepted


def test_curl_over_explicit_tls_verifies_the_certificate_and_downloads(
    ftp_world, tls_server, tls_certificate, tmp_path
):
    target = tmp_path / "copy.mp3"
    fetched = curl(
        "--ssl-reqd", "--cacert", tls_certificate[0], "-o", str(target), url(tls_server, ftp_world, ftp_world.file_path)
    )
    assert fetched.returncode == 0, fetched.stderr
    assert target.read_bytes() == ftp_world.content
    listed = curl("--ssl-reqd", "--cacert", tls_certificate[0], url(tls_server, ftp_world, ftp_world.day_path + "/"))
    assert ftp_world.file_name in listed.stdout.decode()


def test_curl_insists_on_tls_and_the_plain_server_has_none(ftp_world, ftp_server, tls_certificate):
    result = curl("--ssl-reqd", "--cacert", tls_certificate[0], url(ftp_server, ftp_world, "/"))
    assert result.returncode == 64  # 64: the requested FTP SSL level failed


def test_tls_required_server_refuses_plain_curl_and_accepts_ssl_reqd(ftp_world, tls_required_server, tls_certificate):
    plain = curl(url(tls_required_server, ftp_world, ftp_world.file_path))
    assert plain.returncode != 0
    assert plain.stdout == b""
    encrypted = curl(
        "--ssl-reqd", "--cacert", tls_certificate[0], url(tls_required_server, ftp_world, ftp_world.file_path)
    )
    assert encrypted.returncode == 0, encrypted.stderr
    assert encrypted.stdout == ftp_world.content
