"""Fixtures of the recordings tests: a storage in a temporary folder, recordings of two customers, FTP servers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from recordings import services
from recordings.ftp.certs import generate_self_signed_certificate
from recordings.storage import LocalRecordingStorage
from recordings.testing import random_audio_bytes, running_ftp_server
from recordings.tests import factories


@pytest.fixture
def storage(tmp_path):
    return LocalRecordingStorage(tmp_path / "recordings")


@dataclass
class FtpWorld:
    """Two customers with FTP passwords and recordings, and the storage holding them."""

    storage: LocalRecordingStorage
    login: str
    password: str
    other_login: str
    other_password: str
    day_path: str  # the customer's day folder, as the FTP client sees it
    file_name: str
    content: bytes
    other_path: str  # the other customer's recording, relative to the storage

    @property
    def file_path(self) -> str:
        return f"{self.day_path}/{self.file_name}"


@pytest.fixture
def ftp_world(transactional_db, customer, other_customer, storage) -> FtpWorld:
    """A 2026-03-29 recording for each customer; the FTP server thread sees them (committed data)."""
    content = random_audio_bytes(300_000, seed=1)
    mine = factories.recording(
        customer, started_at=datetime(2026, 3, 29, 2, 30, tzinfo=UTC), content=content, storage=storage
    )
    factories.recording(
        customer,
        started_at=datetime(2026, 3, 30, 9, 0, tzinfo=UTC),
        content=random_audio_bytes(1000, seed=2),
        storage=storage,
        direction="out",
    )
    theirs = factories.recording(
        other_customer,
        started_at=datetime(2026, 3, 29, 2, 30, tzinfo=UTC),
        content=random_audio_bytes(2000, seed=3),
        storage=storage,
        caller="48700800900",
    )
    folder, _, name = mine.path.partition("/")[2].rpartition("/")
    return FtpWorld(
        storage=storage,
        login=customer.prefix,
        password=services.ftp_password_regenerate(customer=customer),
        other_login=other_customer.prefix,
        other_password=services.ftp_password_regenerate(customer=other_customer),
        day_path=f"/{folder}",
        file_name=name,
        content=content,
        other_path=theirs.path,
    )


@pytest.fixture
def ftp_server(ftp_world):
    """A plain FTP server over the world's storage (no delay after a wrong password)."""
    with running_ftp_server(storage=ftp_world.storage) as server:
        yield server


@pytest.fixture
def start_ftp_server(ftp_world):
    """Start extra servers with other settings: `start_ftp_server(max_connections_per_ip=2)`."""
    with _ServerStack(ftp_world.storage) as stack:
        yield stack.start


class _ServerStack:
    def __init__(self, storage):
        self.storage = storage
        self.contexts = []

    def start(self, **overrides):
        context = running_ftp_server(storage=self.storage, **overrides)
        self.contexts.append(context)
        return context.__enter__()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        for context in reversed(self.contexts):
            context.__exit__(None, None, None)


@pytest.fixture(scope="session")
def tls_certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 / localhost: (certfile, keyfile)."""
    folder = tmp_path_factory.mktemp("ftp-tls")
    certfile, keyfile = folder / "cert.pem", folder / "key.pem"
    generate_self_signed_certificate(certfile, keyfile)
    return str(certfile), str(keyfile)
