"""Helpers for tests (and benchmarks) that need a real recordings FTP server and real files."""

from __future__ import annotations

import contextlib
import ftplib
import io
import random
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal

from recordings.ftp.server import BackgroundFtpServer, FtpServerConfig, build_server
from recordings.storage import RecordingStorage


def random_audio_bytes(size: int, *, seed: int = 0) -> bytes:
    """`size` bytes that stand in for an MP3 (the FTP server and the storage do not look inside)."""
    return random.Random(seed).randbytes(size)


@contextlib.contextmanager
def running_ftp_server(*, storage: RecordingStorage, guard=None, **overrides) -> Iterator[BackgroundFtpServer]:
    """An FTP server on 127.0.0.1 with a free port, serving `storage`, stopped (all clients closed) on exit.

    Unless overridden: no delay after a wrong password (tests that are about
    the delay set `auth_failed_delay`), kernel-chosen passive ports.
    """
    options = {"host": "127.0.0.1", "port": 0, "auth_failed_delay": 0, "idle_timeout": 30, **overrides}
    server = build_server(FtpServerConfig(**options), storage=storage, guard=guard)
    background = BackgroundFtpServer(server).start()
    try:
        yield background
    finally:
        background.stop()


def ftp_client(address: tuple[str, int], *, cafile: str | None = None, timeout: float = 5) -> ftplib.FTP:
    """A connected ftplib client; with `cafile` an FTP_TLS client that verifies the server against it.

    Plain FTP is what these tests are about, hence the deliberate S321 exceptions.
    """
    context = ssl.create_default_context(cafile=str(cafile)) if cafile else None
    client = ftplib.FTP_TLS(context=context) if context else ftplib.FTP()  # noqa: S321
    client.connect(*address, timeout=timeout)
    return client


def store_recording(customer, *, started_at: datetime, content: bytes, storage: RecordingStorage, **fields):
    """A Recording row with its file, through the real service."""
    from recordings.services import recording_save

    defaults = {"call_id": f"call-{started_at.timestamp():.0f}", "direction": "in", "caller": "48221234567"}
    defaults.update(callee="10", duration_seconds=Decimal("12.5"))
    defaults.update(fields)
    return recording_save(
        customer=customer, started_at=started_at, source=io.BytesIO(content), storage=storage, **defaults
    )


def free_port_range(count: int) -> tuple[int, int]:
    """`count` consecutive free TCP ports on 127.0.0.1 (as far as one can tell right now).

    Tried first below Linux's ephemeral range (32768+), where the thousands of client sockets a benchmark leaves
    in TIME_WAIT do not live; ports only in TIME_WAIT count as free (servers bind with SO_REUSEADDR too).
    """
    rng = random.Random()
    starts = [rng.randrange(20000, 32768 - count) for _ in range(100)]
    for _ in range(100):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            starts.append(probe.getsockname()[1])
    for first in starts:
        if first + count > 65535:
            continue
        sockets = []
        try:
            for port in range(first, first + count):
                candidate = socket.socket()
                sockets.append(candidate)
                candidate.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                candidate.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for candidate in sockets:
                candidate.close()
        return first, first + count - 1
    raise RuntimeError("no free port range found")


def wait_until(condition: Callable[[], object], *, timeout: float = 5.0, interval: float = 0.02):
    """Poll `condition` until it returns something truthy (the server logs after it answers).

    A read that collides with the server thread's write on the shared in-memory
    SQLite test database ("table is locked") is simply tried again.
    """
    from django.db import OperationalError

    deadline = time.monotonic() + timeout
    while True:
        try:
            result = condition()
        except OperationalError:
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)
