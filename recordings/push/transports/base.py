"""What every push transport shares: the errors, the time limits, the target, and the way to it.

`PushError` names the step that failed and says in plain words what went
wrong; `permanent` marks errors that retrying within the same night cannot fix
(wrong password, a changed server key). Every socket operation has a timeout
taken from a `Deadline`: the connection test gives the whole conversation 15
seconds, the push a fixed time per operation. `resolve` and `connect_socket`
are the first two steps of every protocol (name look-up, then a TCP
connection to an allowed address), `_Steps` reports each step, and
`Transport` is the few operations a push needs, which ftp.py and sftp.py
implement. Names with a leading underscore here are for those two modules only.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import ftplib
import socket
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

import paramiko
from django.utils.translation import gettext as _

from recordings.push.hosts import address_allowed, parse_ip
from recordings.push.paths import folder_parents

PUSH_OPERATION_TIMEOUT = 60.0
STEP_DNS, STEP_CONNECT, STEP_TLS, STEP_LOGIN, STEP_WRITE = "dns", "connect", "tls", "login", "write"
STEP_FOLDER, STEP_UPLOAD, STEP_VERIFY, STEP_RENAME = "folder", "upload", "verify", "rename"

StepReport = Callable[[str, bool, str], None]
_resolver = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="push-dns")


class PushError(Exception):
    """A step that failed, with the reason in plain words (translated) for the customer."""

    def __init__(self, step: str, message: str, *, permanent: bool = False, connection_lost: bool = False) -> None:
        super().__init__(message)
        self.step = step
        self.message = message
        self.permanent = permanent
        self.connection_lost = connection_lost


class Deadline:
    """The time left for a conversation: each operation gets at most `per_operation` and never past the end."""

    def __init__(self, *, total: float | None = None, per_operation: float = PUSH_OPERATION_TIMEOUT) -> None:
        self.total = total
        self.expires = time.monotonic() + total if total else None
        self.per_operation = per_operation

    def timeout(self, step: str) -> float:
        if self.expires is None:
            return self.per_operation
        remaining = self.expires - time.monotonic()
        if remaining <= 0.05:
            raise PushError(step, _("No result within %(seconds)d seconds.") % {"seconds": self.total})
        return min(self.per_operation, remaining)


@dataclass(frozen=True)
class Endpoint:
    """Where and how to connect (decrypted secrets; never stored in this form)."""

    protocol: str
    host: str
    port: int
    username: str
    password: str = ""
    private_key: str = ""
    passive: bool = True
    verify_tls: bool = True
    pinned_fingerprint: str = ""
    allow_private: bool = False


# --- name look-up and connection


def resolve(host: str, port: int, *, timeout: float, allow_private: bool) -> list[tuple]:
    """The addresses to try for `host`, or PushError(dns): unknown name, no answer, or only forbidden addresses."""
    literal = parse_ip(host)
    if literal is not None:
        family = socket.AF_INET6 if literal.version == 6 else socket.AF_INET
        infos = [(family, socket.SOCK_STREAM, 0, "", (str(literal), port))]
    else:
        future = _resolver.submit(socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM)
        try:
            infos = future.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            raise PushError(STEP_DNS, _("The name server gave no answer in time.")) from None
        except (socket.gaierror, UnicodeError):
            raise PushError(
                STEP_DNS, _("The name %(host)s cannot be found. Check the host for typos.") % {"host": host}
            ) from None
    allowed = [info for info in infos if address_allowed(info[4][0], allow_private=allow_private)]
    if not allowed:
        raise PushError(
            STEP_DNS,
            _("%(host)s leads to a local or private address, which the push cannot reach. Give a public address.")
            % {"host": host},
            permanent=True,
        )
    return allowed


def connect_socket(addresses: list[tuple], *, port: int, timeout: float) -> socket.socket:
    """A TCP connection to the first address that answers, or PushError(connect) in plain words."""
    error: OSError | None = None
    for family, kind, proto, _canonical, address in addresses:
        sock = socket.socket(family, kind, proto)
        sock.settimeout(timeout)
        try:
            sock.connect(address)
        except OSError as exc:
            sock.close()
            error = exc
            continue
        return sock
    if isinstance(error, ConnectionRefusedError):
        message = _("The server refused the connection on port %(port)s: nothing listens there.") % {"port": port}
    elif isinstance(error, TimeoutError):
        message = _("The server did not answer on port %(port)s (switched off, or a firewall drops it).") % {
            "port": port
        }
    else:
        message = _("Cannot connect to port %(port)s: %(error)s.") % {"port": port, "error": _describe(error)}
    raise PushError(STEP_CONNECT, message)


def _describe(error: BaseException | None) -> str:
    if error is None:
        return _("unknown error")
    if isinstance(error, ftplib.Error):
        return str(error).strip()
    return getattr(error, "strerror", None) or str(error) or type(error).__name__


def _lost(step: str, error: BaseException) -> PushError:
    if isinstance(error, TimeoutError | socket.timeout):
        message = _("The server stopped answering (no reply within the time limit).")
    else:
        message = _("The connection to the server was lost: %(error)s.") % {"error": _describe(error)}
    return PushError(step, message, connection_lost=True)


class _Steps:
    """Runs the connection steps one after another, reporting each (and turning surprises into PushError)."""

    def __init__(self, report: StepReport | None) -> None:
        self.report = report or (lambda step, ok, detail: None)

    @contextlib.contextmanager
    def step(self, name: str, ok_detail: str = ""):
        holder = {"detail": ok_detail}
        try:
            yield holder
        except PushError as error:
            self.report(name, False, error.message)
            raise
        except (OSError, EOFError, paramiko.SSHException, ftplib.Error) as error:
            failure = _lost(name, error)
            self.report(name, False, failure.message)
            raise failure from error
        self.report(name, True, holder["detail"])


# --- transports


class Transport(ABC):
    """An open, logged-in connection to the target; absolute remote paths everywhere."""

    protocol: str
    fingerprint: str = ""  # the SFTP server's key as seen on this connection

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline
        self._folders: set[str] = set()

    def ensure_folder(self, folder: str) -> None:
        """Create `folder` and its missing parents (remembered for this connection)."""
        if folder in self._folders or folder == "/":
            return
        for parent in folder_parents(folder):
            if parent not in self._folders:
                self._make_folder(parent)
                self._folders.add(parent)

    @abstractmethod
    def _make_folder(self, folder: str) -> None: ...

    @abstractmethod
    def remote_size(self, path: str) -> int | None:
        """The size of a remote file, None if there is none."""

    def folder_sizes(self, folder: str) -> dict[str, int | None] | None:
        """The files in `folder` (name → size, None where the listing gives no size); None if it cannot be listed.

        One listing instead of a question per file: a push then asks for the
        size only of the names the server listed.
        """
        return None

    def sizes(self, paths: list[str]) -> list[int | None | PushError]:
        """The sizes of several remote files, in order: None where there is none, PushError where it cannot be told.

        A lost connection raises. This asks one file after another; FTP sends
        all the questions at once.
        """
        sizes: list[int | None | PushError] = []
        for path in paths:
            try:
                sizes.append(self.remote_size(path))
            except PushError as error:
                if error.connection_lost or error.permanent:
                    raise
                sizes.append(error)
        return sizes

    @abstractmethod
    def upload(self, source: BinaryIO, path: str) -> int:
        """Write `source` to `path` (replacing it); returns the bytes sent."""

    @abstractmethod
    def rename(self, source: str, target: str) -> None:
        """Give an uploaded file its final name, replacing a file of that name."""

    def renames(self, pairs: list[tuple[str, str]]) -> list[PushError | None]:
        """Rename several files, in order: None where it worked, the PushError where the server refused.

        A lost connection raises (which of the renames happened is then
        unknown). This renames one file after another; FTP sends all the
        commands at once.
        """
        results: list[PushError | None] = []
        for source, target in pairs:
            try:
                self.rename(source, target)
            except PushError as error:
                if error.connection_lost or error.permanent:
                    raise
                results.append(error)
            else:
                results.append(None)
        return results

    @abstractmethod
    def delete(self, path: str) -> bool:
        """Remove a remote file; False if it could not be removed (best effort)."""

    def checksum_matches(self, path: str, local_digest: Callable[[str], bytes]) -> bool | None:
        """Compare the remote file's hash with ours when the server can compute one; None when it cannot."""
        return None

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
