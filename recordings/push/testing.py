"""Writable FTP and FTPS servers for tests (and benchmarks) of the push, with faults on demand.

The recordings FTP server is read-only, so a push target is a plain pyftpdlib
server (DummyAuthorizer with write permissions over a folder) on 127.0.0.1,
port 0, run by the same background loop as the recordings server. `FtpFaults`
makes it misbehave the ways real servers do: crash after N files, cut the
connection mid-file, report a short size, run out of space, refuse a rename,
refuse to list a folder or to tell sizes; `commands` records what was asked.
"""

from __future__ import annotations

import contextlib
import errno
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.filesystems import AbstractedFS
from pyftpdlib.handlers import FTPHandler, TLS_FTPHandler
from pyftpdlib.ioloop import IOLoop
from pyftpdlib.log import logger
from pyftpdlib.servers import FTPServer

from recordings.ftp.server import BackgroundFtpServer, tls_context

TARGET_USER = "push"
TARGET_PASSWORD = "push-secret"  # noqa: S105 - a test server's password


@dataclass
class FtpFaults:
    """What the test server does wrong; `uploads` lists every STOR (server paths), `completed` the finished ones.

    `short_size_names` / `refuse_rename_names` limit those faults to paths
    containing one of the names (empty: every path); `crash_at_rename`
    closes the connection without an answer at that RNTO (1 = the first),
    before renaming; `commands` lists every command's verb in order.
    """

    crash_after_files: int | None = None
    disconnect_after_bytes: int | None = None
    short_size_by: int = 0
    short_size_names: tuple[str, ...] = ()
    refuse_size: bool = False
    quota_bytes: int | None = None
    refuse_rename: bool = False
    refuse_rename_names: tuple[str, ...] = ()
    refuse_rename_over_existing: bool = False
    crash_at_rename: int | None = None
    refuse_listing: bool = False
    uploads: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    completed: int = 0
    renames: int = 0
    bytes_written: int = 0


class _WatchedFile:
    """A file being uploaded; writes beyond the quota fail like a full disk, or the connection is cut."""

    def __init__(self, handle, faults: FtpFaults, handler) -> None:
        self._handle = handle
        self._faults = faults
        self._handler = handler
        self._written = 0

    def write(self, data: bytes) -> int:
        faults = self._faults
        if faults.quota_bytes is not None and faults.bytes_written + len(data) > faults.quota_bytes:
            raise OSError(errno.ENOSPC, "No space left on device")
        if faults.disconnect_after_bytes is not None and self._written + len(data) > faults.disconnect_after_bytes:
            self._handler.close()
            raise OSError(errno.ECONNRESET, "connection cut by the test")
        faults.bytes_written += len(data)
        self._written += len(data)
        return self._handle.write(data)

    def __getattr__(self, name):
        return getattr(self._handle, name)


class _TargetFilesystem(AbstractedFS):
    faults: FtpFaults

    def open(self, filename, mode):
        handle = super().open(filename, mode)
        if any(flag in mode for flag in "wa+"):
            return _WatchedFile(handle, self.faults, self.cmd_channel)
        return handle


class _TargetDataChannelMixin:
    """A full disk answers 552 like real servers do (pyftpdlib itself would say "426 None")."""

    def handle_error(self):
        error = sys.exc_info()[1]
        cause = getattr(error, "__cause__", None)
        if getattr(cause, "errno", None) == errno.ENOSPC:
            self._resp = ("552 Disk quota exceeded; transfer aborted.", logger.warning)
            self.close()
            return
        super().handle_error()


def _names_match(path: str, names: tuple[str, ...]) -> bool:
    return not names or any(name in path for name in names)


class _TargetHandlerMixin:
    faults: FtpFaults

    def pre_process_command(self, line, cmd, arg):
        self.faults.commands.append(cmd)
        return super().pre_process_command(line, cmd, arg)

    def ftp_STOR(self, file, mode="w"):
        faults = self.faults
        if faults.crash_after_files is not None and faults.completed >= faults.crash_after_files:
            self.close()  # no answer at all: the server process died
            return None
        faults.uploads.append(self.fs.fs2ftp(file))
        return super().ftp_STOR(file, mode)

    def on_file_received(self, file):
        self.faults.completed += 1

    def ftp_SIZE(self, path):
        faults = self.faults
        if faults.refuse_size:
            self.respond("502 Command SIZE not implemented.")
            return
        if faults.short_size_by and self.fs.isfile(path) and _names_match(path, faults.short_size_names):
            self.respond(f"213 {max(0, self.fs.getsize(path) - faults.short_size_by)}")
            return
        super().ftp_SIZE(path)

    def ftp_NLST(self, path):
        if self.faults.refuse_listing:
            self.respond("550 No files found.")  # what some servers answer even for a folder with files
            return
        super().ftp_NLST(path)

    def ftp_RNTO(self, path):
        faults = self.faults
        faults.renames += 1
        if faults.crash_at_rename is not None and faults.renames >= faults.crash_at_rename:
            self.close()  # no answer at all: the server process died
            return
        source = self._rnfr or ""
        refused = faults.refuse_rename and _names_match(source, faults.refuse_rename_names)
        if refused or (faults.refuse_rename_over_existing and self.fs.lexists(path)):
            self._rnfr = None
            self.respond("550 Rename refused by the test server.")
            return
        super().ftp_RNTO(path)


@contextlib.contextmanager
def writable_ftp_server(
    root: str | Path,
    *,
    tls: tuple[str, str] | None = None,
    faults: FtpFaults | None = None,
    username: str = TARGET_USER,
    password: str = TARGET_PASSWORD,
) -> Iterator[tuple[BackgroundFtpServer, FtpFaults]]:
    """A writable FTP server (FTPS with `tls=(certfile, keyfile)`) over `root` on 127.0.0.1; stopped on exit."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    faults = faults or FtpFaults()
    authorizer = DummyAuthorizer()
    authorizer.add_user(username, password, str(root), perm="elradfmwMT")
    filesystem = type("PushTargetFilesystem", (_TargetFilesystem,), {"faults": faults})
    attributes = {
        "authorizer": authorizer,
        "abstracted_fs": filesystem,
        "faults": faults,
        "auth_failed_timeout": 0,
        "banner": "Push target test server ready.",
        "permit_foreign_addresses": False,
    }
    if tls:
        attributes.update(certfile=tls[0], keyfile=tls[1], ssl_context=tls_context(*tls))
    base = TLS_FTPHandler if tls else FTPHandler
    attributes["dtp_handler"] = type("PushTargetDataChannel", (_TargetDataChannelMixin, base.dtp_handler), {})
    handler = type("PushTargetHandler", (_TargetHandlerMixin, base), attributes)
    server = FTPServer(("127.0.0.1", 0), handler, ioloop=IOLoop())
    background = BackgroundFtpServer(server).start()
    try:
        yield background, faults
    finally:
        background.stop()


def recordings_of_day(customer, *, day, count: int, storage, size: int = 4000, seed: int = 0) -> list:
    """`count` recordings of `customer` starting at 10:00, 10:01, … local time on `day` (files in `storage`)."""
    from datetime import datetime, time, timedelta

    from recordings.naming import LOCAL_ZONE
    from recordings.testing import random_audio_bytes, store_recording

    start = datetime.combine(day, time(10, 0), tzinfo=LOCAL_ZONE)
    return [
        store_recording(
            customer,
            started_at=start + timedelta(minutes=index),
            content=random_audio_bytes(size + index, seed=seed + index),
            storage=storage,
            call_id=f"call-{day:%Y%m%d}-{index}",
        )
        for index in range(count)
    ]


def push_settings(protocol: str, address: tuple[str, int], **overrides):
    """PushSettings for a test server at `address` (the test servers' user and password)."""
    from recordings.push.services import PushSettings

    values = {
        "protocol": protocol,
        "host": address[0],
        "port": address[1],
        "username": TARGET_USER,
        "password": TARGET_PASSWORD,
        "private_key": None,
        "clear_private_key": False,
        "passive_mode": True,
        "verify_tls": False,
        "path_template": "/nagrania/%Y/%m/%d/",
    }
    values.update(overrides)
    return PushSettings(**values)


def switch_push_on(customer, *, since=None):
    """Subscribe the customer to "recording_push" the way "Usługi / Oferta" does (recording must be on)."""
    from datetime import UTC, datetime

    from billing.models import Service
    from billing.services import service_activate

    since = since or datetime(2026, 1, 1, tzinfo=UTC)
    return service_activate(customer=customer, service=Service.objects.get(code="recording_push"), now=since)
