"""One connection to the customer's server: FTP and FTPS with ftplib, SFTP with paramiko.

`open_transport(endpoint, deadline=...)` goes through the steps a person
would check by hand (name look-up, connection, encryption, log-in), reports
each to an optional callback, and returns a `Transport` with the few
operations a push needs: create folders, ask a file's size, upload, rename,
delete and (SFTP, where the server offers it) compare a checksum.

Every socket operation has a timeout taken from a `Deadline`: the connection
test gives the whole conversation 15 seconds, the push a fixed time per
operation. Every failure becomes a `PushError` that names the step and says
in plain words what went wrong; `permanent` marks errors that retrying within
the same night cannot fix (wrong password, a changed server key).
"""

from __future__ import annotations

import base64
import concurrent.futures
import contextlib
import ftplib
import hashlib
import io
import os
import socket
import ssl
import stat
import struct
import threading
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

import paramiko
from django.utils.translation import gettext as _
from paramiko.sftp import CMD_WRITE

from recordings.push.choices import PushProtocol
from recordings.push.hosts import address_allowed, parse_ip
from recordings.push.paths import folder_parents

CHUNK_SIZE = 1024 * 1024  # what a copy reads and writes at once where the kernel cannot copy by itself
PUSH_OPERATION_TIMEOUT = 60.0
CHECKSUM_ALGORITHMS = ("sha256", "sha1", "md5")
# SSH ciphers tried first: AES-GCM encrypts and authenticates in one pass (no separate HMAC over every packet).
PREFERRED_SSH_CIPHERS = ("aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr")
SFTP_WRITE_SIZE = 32768  # the largest write every SFTP server must accept
SFTP_WRITES_IN_FLIGHT = 64  # writes sent before the oldest answer is awaited (OpenSSH's sftp does the same)
SFTP_WRITE_OVERHEAD = 64 + 25  # paramiko's reserve per SSH packet, and the write request's own fields
# FTP commands sent in one write before their answers are read: a hundred short answers fit any socket buffer,
# so the server never waits for us to read while we wait for it to read.
FTP_PIPELINE_COMMANDS = 100
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


class HostKeyChanged(PushError):
    """The SFTP server presented a key other than the pinned one: possibly someone in between."""

    def __init__(self, *, pinned: str, offered: str) -> None:
        super().__init__(
            STEP_TLS,
            _(
                "The server's key has changed (remembered %(pinned)s, now %(offered)s). The push is stopped until "
                "you confirm the new key in the settings: if you did not change the server, someone may be "
                "intercepting the connection."
            )
            % {"pinned": pinned, "offered": offered},
            permanent=True,
        )
        self.pinned = pinned
        self.offered = offered


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


def host_key_fingerprint(key: paramiko.PKey) -> str:
    """`SHA256:<base64>`, the form OpenSSH shows (`ssh-keygen -lf`)."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


class PrivateKeyError(ValueError):
    """A private key text that cannot be used: `code` is `encrypted` or `unreadable`."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def load_private_key(text: str) -> paramiko.PKey:
    """An unencrypted private key in PEM or OpenSSH form (Ed25519, ECDSA or RSA)."""
    text = (text or "").strip().replace("\r\n", "\n") + "\n"
    for key_class in (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey):
        try:
            return key_class.from_private_key(io.StringIO(text))
        except paramiko.PasswordRequiredException:
            raise PrivateKeyError("encrypted") from None
        except (paramiko.SSHException, ValueError, TypeError, IndexError, AssertionError):
            continue
    raise PrivateKeyError("unreadable")


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


class _ReusingFtpTls(ftplib.FTP_TLS):
    """FTP_TLS that resumes the control connection's TLS session on data connections (vsftpd and others demand it)."""

    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)  # noqa: S321 - the TLS wrapping follows
        if self._prot_p:
            session = getattr(self.sock, "session", None)
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=session)
        return conn, size


class FtpTransport(Transport):
    protocol = PushProtocol.FTP

    def __init__(self, client: ftplib.FTP, deadline: Deadline) -> None:
        super().__init__(deadline)
        self.client = client
        self._next_passive: tuple[str, int] | None = None  # asked for in advance (after an upload, with renames)
        self._passive_asked = False  # a PASV/EPSV sent after the last upload, its answer not read yet
        self._size_command = True  # False once the server said it has no SIZE (MLST is asked instead)
        client.makepasv = self._makepasv

    def _makepasv(self) -> tuple[str, int]:
        """ftplib's PASV/EPSV, unless the address for the next data connection was already asked for."""
        prepared, self._next_passive = self._next_passive, None
        return prepared or type(self.client).makepasv(self.client)

    def _passive_address(self, reply: str) -> tuple[str, int]:
        """The address in a PASV/EPSV answer, read as ftplib's makepasv reads it."""
        client = self.client
        if client.af == socket.AF_INET:
            host, port = ftplib.parse227(reply)  # noqa: S321 - parsing an answer, as ftplib's makepasv does
            return (host if client.trust_server_pasv_ipv4_address else client.sock.getpeername()[0]), port
        return ftplib.parse229(reply, client.sock.getpeername())  # noqa: S321 - as above

    def _transfer(self, command: str) -> socket.socket:
        """The data connection for `command`; a passive port prepared in advance that is gone is asked for anew."""
        prepared = self._next_passive is not None
        try:
            return self.client.transfercmd(command)
        except ConnectionRefusedError:
            if not prepared:
                raise
            return self.client.transfercmd(command)

    def _arm(self, step: str) -> None:
        timeout = self.deadline.timeout(step)
        self.client.timeout = timeout  # used for data connections
        if self.client.sock is not None:
            self.client.sock.settimeout(timeout)

    def _call(self, step: str, func, *args):
        self._arm(step)
        try:
            if self._passive_asked:
                self._read_passive()
            return func(*args)
        except (OSError, EOFError, ftplib.error_proto, ftplib.error_reply) as error:
            # A dead connection, or answers out of step with our commands: this conversation is over.
            raise _lost(step, error) from error

    def _ask_passive(self) -> None:
        """Ask for the next data port now and read the answer with the next command (see `_store`)."""
        client = self.client
        if not client.passiveserver:
            return
        try:
            self._send_commands("PASV" if client.af == socket.AF_INET else "EPSV")
        except OSError:
            return  # the next command finds the connection dead
        self._next_passive = None
        self._passive_asked = True

    def _read_passive(self) -> None:
        self._passive_asked = False
        try:
            self._next_passive = self._passive_address(self.client.getresp())
        except (ftplib.error_perm, ftplib.error_temp):
            self._next_passive = None  # the next transfer asks again

    def _make_folder(self, folder: str) -> None:
        try:
            self._call(STEP_FOLDER, self.client.cwd, folder)
            return
        except (ftplib.error_perm, ftplib.error_temp):
            pass
        try:
            self._call(STEP_FOLDER, self.client.mkd, folder)
        except ftplib.error_perm as error:
            try:  # created meanwhile, or MKD refused for an existing folder
                self._call(STEP_FOLDER, self.client.cwd, folder)
            except ftplib.error_perm:
                raise PushError(
                    STEP_FOLDER,
                    _("The folder %(folder)s cannot be created: %(error)s") % {"folder": folder, "error": error},
                ) from error
        except ftplib.error_temp as error:
            raise PushError(
                STEP_FOLDER,
                _("The folder %(folder)s cannot be created: %(error)s") % {"folder": folder, "error": error},
            ) from error

    def remote_size(self, path: str) -> int | None:
        if not self._size_command:
            return self._size_from_mlst(path)
        try:
            reply = self._call(STEP_VERIFY, self.client.sendcmd, f"SIZE {path}")
        except (ftplib.error_perm, ftplib.error_temp) as error:
            reply = error
        size = self._size_answer(path, reply)
        if isinstance(size, PushError):
            raise size
        return size

    def sizes(self, paths: list[str]) -> list[int | None | PushError]:
        """SIZE of every path sent at once and the answers read after: one round trip for the whole batch."""
        if not self._size_command:
            return super().sizes(paths)
        answers = self._pipelined(STEP_VERIFY, [f"SIZE {path}" for path in paths])
        sizes: list[int | None | PushError] = []
        for path, answer in zip(paths, answers, strict=True):
            try:
                sizes.append(self._size_answer(path, answer))
            except PushError as error:
                if error.connection_lost or error.permanent:
                    raise
                sizes.append(error)
        return sizes

    def _size_answer(self, path: str, answer: str | ftplib.Error) -> int | None | PushError:
        """The size in an answer to SIZE (as ftplib's size() reads it); a server without SIZE is asked by MLST."""
        if isinstance(answer, ftplib.error_temp):
            return PushError(STEP_VERIFY, _("The server cannot tell the file size: %(error)s") % {"error": answer})
        if isinstance(answer, ftplib.Error):
            if str(answer)[:3] in ("500", "501", "502", "504"):
                self._size_command = False
                return self._size_from_mlst(path)
            return None  # 550: no such file
        if not answer.startswith("213"):
            return None
        try:
            return int(answer[3:].strip())
        except ValueError:
            return None  # an answer that is not a number: treated as no size, so nothing is confirmed

    def _size_from_mlst(self, path: str) -> int | None:
        try:
            reply = self._call(STEP_VERIFY, self.client.sendcmd, f"MLST {path}")
        except ftplib.error_perm as error:
            if str(error)[:3] == "550":
                return None
            raise PushError(
                STEP_VERIFY,
                _("The server reports no file sizes (neither SIZE nor MLST), so uploads cannot be verified."),
                permanent=True,
            ) from error
        for fact in reply.replace("\r", "\n").replace(" ", ";").split(";"):
            if fact.lower().startswith("size="):
                return int(fact.split("=", 1)[1])
        return None

    def folder_sizes(self, folder: str) -> dict[str, int | None] | None:
        """The names NLST gives (no sizes: SIZE asks for the few that matter); None if the server refuses it."""
        try:
            listing = self._call(STEP_VERIFY, self._receive, f"NLST {folder}")
        except (ftplib.error_perm, ftplib.error_temp):
            return None  # e.g. "550 No files found" from some servers: ask per file instead
        lines = listing.decode(self.client.encoding, errors="replace").split("\n")
        names = (line.rstrip("\r").rsplit("/", 1)[-1] for line in lines)  # some servers give whole paths
        return dict.fromkeys((name for name in names if name), None)

    def _receive(self, command: str) -> bytes:
        """The data a command sends over a data connection (in binary mode, which the log-in set)."""
        chunks = []
        with self._transfer(command) as conn:
            while chunk := conn.recv(CHUNK_SIZE):
                chunks.append(chunk)
            if isinstance(conn, ssl.SSLSocket):
                # The server has closed its side (all data is here). With TLS 1.3 and an empty listing OpenSSL
                # may refuse the polite shutdown ("shutdown while in init"); the server's reply below decides.
                with contextlib.suppress(ssl.SSLError):
                    conn.unwrap()
        self.client.voidresp()
        return b"".join(chunks)

    def upload(self, source: BinaryIO, path: str) -> int:
        try:
            return self._call(STEP_UPLOAD, self._store, source, path)
        except ftplib.error_perm as error:
            raise PushError(STEP_UPLOAD, _upload_refusal(path, error)) from error
        except ftplib.error_temp as error:
            raise PushError(STEP_UPLOAD, _upload_refusal(path, error)) from error

    def _store(self, source: BinaryIO, path: str) -> int:
        """STOR in binary mode (set once at log-in, not before every file as ftplib's storbinary does).

        Once the server confirmed the file, the next file's data port is
        asked for at once (in passive mode), and its answer read only with the
        next command: the round trip overlaps with our own work between two
        files (the server gets its commands in the usual order, one at a time).
        """
        with self._transfer(f"STOR {path}") as conn:
            sent = _send_file(conn, source)
            if isinstance(conn, ssl.SSLSocket):
                conn.unwrap()
        self.client.voidresp()
        self._ask_passive()
        return sent

    def rename(self, source: str, target: str) -> None:
        (refusal,) = self.renames([(source, target)])
        if refusal is not None:
            raise refusal

    def renames(self, pairs: list[tuple[str, str]]) -> list[PushError | None]:
        """RNFR and RNTO of every pair sent at once, every answer read and checked: one round trip for the batch.

        A pair the server refuses is tried once more on its own after the old
        file of the final name is removed (some servers do not rename over an
        existing file); a second refusal is that file's PushError.
        """
        refusals = self._rename_all(pairs)
        results: list[PushError | None] = []
        for (source, target), refusal in zip(pairs, refusals, strict=True):
            if refusal is not None and self.delete(target):
                (refusal,) = self._rename_all([(source, target)])
            if refusal is None:
                results.append(None)
                continue
            results.append(
                PushError(
                    STEP_RENAME,
                    _("The server refused to rename %(source)s to its final name: %(error)s")
                    % {"source": source, "error": refusal},
                )
            )
        return results

    def _rename_all(self, pairs: list[tuple[str, str]]) -> list[ftplib.Error | None]:
        """Send RNFR+RNTO of every pair together; the server's refusal of each, or None.

        The server still answers each command in turn: a refused RNFR makes it
        refuse the RNTO that follows as well, and both answers are read. In
        passive mode the last write also asks for the next file's data port
        (PASV), which saves that file a round trip; an unused one is simply
        never connected.
        """
        client = self.client
        commands = [command for source, target in pairs for command in (f"RNFR {source}", f"RNTO {target}")]
        if client.passiveserver:
            commands.append("PASV" if client.af == socket.AF_INET else "EPSV")
        answers = self._pipelined(STEP_RENAME, commands)
        if client.passiveserver:
            passive = answers.pop()
            self._next_passive = None  # the port asked for before (if any) is replaced by this one
            if isinstance(passive, str):
                self._next_passive = self._call(STEP_RENAME, self._passive_address, passive)
        refusals: list[ftplib.Error | None] = []
        for index in range(0, len(answers), 2):
            first, second = answers[index], answers[index + 1]
            if isinstance(first, ftplib.Error):
                refusals.append(first)  # RNTO is refused too ("use RNFR first"): nothing was renamed
            elif isinstance(second, ftplib.Error):
                refusals.append(second)
            elif first.startswith("3") and second.startswith("2"):
                refusals.append(None)
            else:
                # Out of step with our commands: the connection is given up.
                unexpected = first if not first.startswith("3") else second
                raise _lost(STEP_RENAME, ftplib.error_reply(unexpected))  # noqa: S321 - an exception, not a connection
        return refusals

    def _pipelined(self, step: str, commands: list[str]) -> list[str | ftplib.Error]:
        """Send `commands` (in groups of FTP_PIPELINE_COMMANDS) and read every answer, in order.

        Each answer is the reply text, or the server's refusal (4xx/5xx) as
        ftplib's exception; every answer is read before anything is judged,
        so the conversation stays in step. A lost connection, or an answer
        that is none of these, raises PushError(connection_lost).
        """
        answers: list[str | ftplib.Error] = []
        for start in range(0, len(commands), FTP_PIPELINE_COMMANDS):
            group = commands[start : start + FTP_PIPELINE_COMMANDS]
            self._call(step, self._send_commands, *group)
            for _command in group:
                answers.append(self._call(step, self._answer))
        return answers

    def _answer(self) -> str | ftplib.Error:
        try:
            return self.client.getresp()
        except (ftplib.error_perm, ftplib.error_temp) as error:
            return error

    def _send_commands(self, *lines: str) -> None:
        """Several commands in one write (ftplib sends one per write, and Nagle would hold back the second)."""
        for line in lines:
            if "\r" in line or "\n" in line:
                raise ValueError("an illegal newline character should not be contained")
        self.client.sock.sendall("".join(f"{line}\r\n" for line in lines).encode(self.client.encoding))

    def delete(self, path: str) -> bool:
        try:
            self._call(STEP_UPLOAD, self.client.delete, path)
        except (ftplib.error_perm, ftplib.error_temp, PushError):
            return False
        return True

    def close(self) -> None:
        try:
            if self.client.sock is not None:
                self.client.sock.settimeout(3)
                self.client.quit()
        except (OSError, EOFError, ftplib.Error):
            pass
        finally:
            self.client.close()


def _send_file(conn: socket.socket, source: BinaryIO) -> int:
    """Send `source` from its position to its end; the bytes sent. The kernel copies a plain file to a plain socket."""
    if not isinstance(conn, ssl.SSLSocket) and _is_regular_file(source):
        return conn.sendfile(source, offset=source.tell())
    sent = 0
    while chunk := source.read(CHUNK_SIZE):
        conn.sendall(chunk)
        sent += len(chunk)
    return sent


def _is_regular_file(source: BinaryIO) -> bool:
    try:
        return stat.S_ISREG(os.fstat(source.fileno()).st_mode)
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both of the last two
        return False


def _upload_refusal(path: str, error: ftplib.Error) -> str:
    code = str(error)[:3]
    if code in ("452", "552"):
        return _("The server has no room for %(path)s (disk full or quota exceeded): %(error)s") % {
            "path": path,
            "error": str(error).strip(),
        }
    if code in ("550", "553", "532"):
        return _("The server does not allow writing %(path)s: %(error)s") % {"path": path, "error": str(error).strip()}
    return _("The upload of %(path)s failed: %(error)s") % {"path": path, "error": str(error).strip()}


class _PushSftpClient(paramiko.SFTPClient):
    """paramiko's SFTP client with one addition: a write request sent as a single SSH packet, copied once.

    paramiko's generic request (`_async_request`) builds every request in
    several copies of its data; for the tens of thousands of writes of a
    night that copying is most of the client's work.
    """

    def write_request(self, handle: bytes, offset: int, data: bytes) -> int:
        """Send SSH_FXP_WRITE without waiting; its number, for `_read_response` (which raises if it failed)."""
        with self._lock:
            number = self.request_number
            self._expecting[number] = type(None)  # what paramiko's own requests register: "no file object"
            self.request_number += 1
        header = struct.pack(">IBII", 21 + len(handle) + len(data), CMD_WRITE, number, len(handle))
        self.sock.sendall(b"".join((header, handle, struct.pack(">QI", offset, len(data)), data)))
        return number


class SftpTransport(Transport):
    protocol = PushProtocol.SFTP

    def __init__(self, ssh: paramiko.Transport, sftp: _PushSftpClient, deadline: Deadline, fingerprint: str):
        super().__init__(deadline)
        self.ssh = ssh
        self.sftp = sftp
        self.fingerprint = fingerprint
        self._check_algorithm: str | None | bool = None  # None: not tried yet; False: the server has none

    def _call(self, step: str, func, *args):
        self.sftp.get_channel().settimeout(self.deadline.timeout(step))
        try:
            return func(*args)
        except (EOFError, paramiko.SSHException, TimeoutError) as error:
            raise _lost(step, error) from error
        except OSError as error:
            # paramiko reports the server's refusals as OSError too; a dead connection is something else.
            if not self.ssh.is_active():
                raise _lost(step, error) from error
            raise

    def _make_folder(self, folder: str) -> None:
        try:
            attributes = self._call(STEP_FOLDER, self.sftp.stat, folder)
        except FileNotFoundError:
            attributes = None
        except OSError as error:
            raise PushError(
                STEP_FOLDER,
                _("The folder %(folder)s cannot be checked: %(error)s") % {"folder": folder, "error": _describe(error)},
            ) from error
        if attributes is not None:
            if attributes.st_mode is not None and not stat.S_ISDIR(attributes.st_mode):
                raise PushError(
                    STEP_FOLDER, _("%(folder)s exists on the server but is not a folder.") % {"folder": folder}
                )
            return
        try:
            self._call(STEP_FOLDER, self.sftp.mkdir, folder)
        except OSError as error:
            raise PushError(
                STEP_FOLDER,
                _("The folder %(folder)s cannot be created: %(error)s") % {"folder": folder, "error": _describe(error)},
            ) from error

    def remote_size(self, path: str) -> int | None:
        try:
            return self._call(STEP_VERIFY, self.sftp.stat, path).st_size
        except FileNotFoundError:
            return None
        except OSError as error:
            raise PushError(
                STEP_VERIFY, _("The server cannot tell the file size: %(error)s") % {"error": _describe(error)}
            ) from error

    def folder_sizes(self, folder: str) -> dict[str, int | None] | None:
        try:
            entries = self._call(STEP_VERIFY, self.sftp.listdir_attr, folder)
        except OSError:
            return None
        return {
            entry.filename: entry.st_size for entry in entries if entry.st_mode is None or stat.S_ISREG(entry.st_mode)
        }

    def upload(self, source: BinaryIO, path: str) -> int:
        try:
            remote = self._call(STEP_UPLOAD, self.sftp.open, path, "wb")
            with remote:
                return self._call(STEP_UPLOAD, self._write_pipelined, remote.handle, source)
        except PushError:
            raise
        except PermissionError as error:
            raise PushError(STEP_UPLOAD, _("The server does not allow writing %(path)s.") % {"path": path}) from error
        except OSError as error:
            if not self.ssh.is_active():
                raise _lost(STEP_UPLOAD, error) from error
            raise PushError(
                STEP_UPLOAD,
                _("The upload of %(path)s failed: %(error)s") % {"path": path, "error": _describe(error)},
            ) from error

    def _write_pipelined(self, handle: bytes, source: BinaryIO) -> int:
        """Write `source` to an open remote file: many writes in flight, every answer checked; the bytes sent.

        Each write fits one SSH packet (paramiko's own SFTPFile splits a
        32 KiB write into a full packet and a tiny one, and checks answers
        only now and then). A refused write raises OSError, as paramiko does.
        """
        sftp = self.sftp
        packet = sftp.get_channel().out_max_packet_size
        size = max(4096, min(SFTP_WRITE_SIZE, packet - SFTP_WRITE_OVERHEAD - len(handle)))
        waiting: deque[int] = deque()
        offset = 0
        while chunk := source.read(size):
            waiting.append(sftp.write_request(handle, offset, chunk))
            offset += len(chunk)
            if len(waiting) >= SFTP_WRITES_IN_FLIGHT:
                sftp._read_response(waiting.popleft())  # raises on a refused write
        while waiting:
            sftp._read_response(waiting.popleft())
        return offset

    def rename(self, source: str, target: str) -> None:
        try:
            self._call(STEP_RENAME, self.sftp.posix_rename, source, target)
            return
        except OSError as error:
            first = error
        try:  # a server without posix-rename: plain rename refuses an existing target
            with contextlib.suppress(FileNotFoundError):
                self._call(STEP_RENAME, self.sftp.remove, target)
            self._call(STEP_RENAME, self.sftp.rename, source, target)
        except OSError as error:
            raise PushError(
                STEP_RENAME,
                _("The server refused to rename %(source)s to its final name: %(error)s")
                % {"source": source, "error": _describe(error or first)},
            ) from error

    def delete(self, path: str) -> bool:
        try:
            self._call(STEP_UPLOAD, self.sftp.remove, path)
        except (OSError, PushError):
            return False
        return True

    def checksum_matches(self, path: str, local_digest: Callable[[str], bytes]) -> bool | None:
        """Ask for the "check-file" hash (an SFTP extension few servers offer); None when there is none."""
        if self._check_algorithm is False:
            return None
        algorithms = [self._check_algorithm] if self._check_algorithm else list(CHECKSUM_ALGORITHMS)
        try:
            remote = self._call(STEP_VERIFY, self.sftp.open, path, "rb")
        except OSError as error:
            raise PushError(
                STEP_VERIFY, _("The uploaded file cannot be read back: %(error)s") % {"error": _describe(error)}
            ) from error
        with remote:
            for algorithm in algorithms:
                try:
                    digest = self._call(STEP_VERIFY, remote.check, algorithm)
                except OSError:
                    continue
                if len(digest) != hashlib.new(algorithm).digest_size:
                    continue
                self._check_algorithm = algorithm
                return digest == local_digest(algorithm)
        self._check_algorithm = False
        return None

    @property
    def checksum_algorithm(self) -> str | None:
        return self._check_algorithm or None

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.sftp.close()
        with contextlib.suppress(Exception):
            self.ssh.close()


# --- opening a connection, step by step


def open_transport(endpoint: Endpoint, *, deadline: Deadline, report: StepReport | None = None) -> Transport:
    """Resolve, connect, encrypt and log in; PushError names the step that failed."""
    steps = _Steps(report)
    with steps.step(STEP_DNS) as result:
        addresses = resolve(
            endpoint.host, endpoint.port, timeout=deadline.timeout(STEP_DNS), allow_private=endpoint.allow_private
        )
        result["detail"] = ", ".join(dict.fromkeys(str(info[4][0]) for info in addresses))
    with steps.step(STEP_CONNECT) as result:
        sock = connect_socket(addresses, port=endpoint.port, timeout=deadline.timeout(STEP_CONNECT))
        result["detail"] = _("%(address)s, port %(port)s") % {"address": sock.getpeername()[0], "port": endpoint.port}
        if endpoint.protocol != PushProtocol.SFTP:
            transport = _ftp_greeting(endpoint, sock, deadline)
    if endpoint.protocol == PushProtocol.SFTP:
        try:
            return _open_sftp(endpoint, sock, deadline, steps)
        except BaseException:
            sock.close()
            raise
    try:
        _ftp_secure_and_log_in(transport, endpoint, steps)
    except BaseException:
        transport.close()
        raise
    return transport


def _tls_context(verify: bool) -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _ftp_greeting(endpoint: Endpoint, sock: socket.socket, deadline: Deadline) -> FtpTransport:
    """An ftplib client on our already checked socket (what FTP.connect() does), after the server's greeting."""
    timeout = deadline.timeout(STEP_CONNECT)
    if endpoint.protocol == PushProtocol.FTPS:
        client: ftplib.FTP = _ReusingFtpTls(context=_tls_context(endpoint.verify_tls), timeout=timeout)
    else:
        client = ftplib.FTP(timeout=timeout)  # noqa: S321 - plain FTP is the customer's explicit choice
    # The host name (not the address) stays on the client, so TLS verifies the certificate against it.
    client.host, client.port, client.sock, client.af = endpoint.host, endpoint.port, sock, sock.family
    client.file = sock.makefile("r", encoding=client.encoding)
    transport = FtpTransport(client, deadline)
    try:
        transport._arm(STEP_CONNECT)
        client.welcome = client.getresp()
    except ftplib.Error as error:
        transport.close()
        raise PushError(
            STEP_CONNECT, _("The server answered, but not as an FTP server: %(error)s") % {"error": error}
        ) from error
    except (OSError, EOFError, UnicodeError) as error:
        transport.close()
        raise PushError(
            STEP_CONNECT, _("The server answered, but not as an FTP server: %(error)s") % {"error": _describe(error)}
        ) from error
    return transport


def _ftp_secure_and_log_in(transport: FtpTransport, endpoint: Endpoint, steps: _Steps) -> None:
    tls = endpoint.protocol == PushProtocol.FTPS
    if tls:
        with steps.step(STEP_TLS) as result:
            _ftp_auth_tls(transport, endpoint)
            result["detail"] = _tls_detail(transport.client.sock, endpoint.verify_tls)
    with steps.step(STEP_LOGIN) as result:
        _ftp_login(transport, endpoint, tls=tls)
        result["detail"] = _("logged in as %(user)s") % {"user": endpoint.username}


def _ftp_auth_tls(transport: FtpTransport, endpoint: Endpoint) -> None:
    client = transport.client
    try:
        transport._arm(STEP_TLS)
        client.auth()
    except ssl.SSLCertVerificationError as error:
        raise PushError(
            STEP_TLS,
            _(
                "The server's TLS certificate is not trusted (%(reason)s). Use a certificate from a public "
                "authority, or switch off certificate verification only if you trust this server."
            )
            % {"reason": error.verify_message or error.reason},
            permanent=True,
        ) from error
    except ssl.SSLError as error:
        raise PushError(
            STEP_TLS, _("The TLS handshake failed: %(error)s") % {"error": error.reason or error}
        ) from error
    except ftplib.Error as error:
        raise PushError(
            STEP_TLS,
            _("The server does not offer FTPS (it refused AUTH TLS): %(error)s") % {"error": str(error).strip()},
            permanent=True,
        ) from error


def _tls_detail(sock, verified: bool) -> str:
    version = sock.version() if hasattr(sock, "version") else "TLS"
    if verified:
        return _("%(version)s, certificate verified") % {"version": version}
    return _("%(version)s, certificate not verified (switched off)") % {"version": version}


def _ftp_login(transport: FtpTransport, endpoint: Endpoint, *, tls: bool) -> None:
    client = transport.client
    try:
        transport._call(STEP_LOGIN, client.login, endpoint.username, endpoint.password)
    except ftplib.error_perm as error:
        raise PushError(
            STEP_LOGIN,
            _("The server refused the log-in: wrong login or password (%(error)s).") % {"error": str(error).strip()},
            permanent=True,
        ) from error
    except ftplib.error_temp as error:
        raise PushError(STEP_LOGIN, _("The server refused the log-in: %(error)s") % {"error": error}) from error
    try:
        if tls:
            transport._call(STEP_LOGIN, client.prot_p)
        transport._call(STEP_LOGIN, client.voidcmd, "TYPE I")
    except ftplib.Error as error:
        raise PushError(
            STEP_LOGIN, _("The server refused the transfer settings: %(error)s") % {"error": str(error).strip()}
        ) from error
    client.set_pasv(endpoint.passive)


def _open_sftp(endpoint: Endpoint, sock: socket.socket, deadline: Deadline, steps: _Steps) -> SftpTransport:
    ssh = paramiko.Transport(sock)
    options = ssh.get_security_options()
    offered = [name for name in PREFERRED_SSH_CIPHERS if name in options.ciphers]
    options.ciphers = (*offered, *(name for name in options.ciphers if name not in offered))
    try:
        with steps.step(STEP_TLS) as result:
            timeout = deadline.timeout(STEP_TLS)
            ssh.banner_timeout = ssh.handshake_timeout = ssh.auth_timeout = timeout
            try:
                ssh.start_client(timeout=timeout)
            except paramiko.SSHException as error:
                raise PushError(
                    STEP_TLS,
                    _("The SSH handshake failed (is this an SSH/SFTP server?): %(error)s") % {"error": error},
                ) from error
            fingerprint = host_key_fingerprint(ssh.get_remote_server_key())
            if endpoint.pinned_fingerprint and fingerprint != endpoint.pinned_fingerprint:
                raise HostKeyChanged(pinned=endpoint.pinned_fingerprint, offered=fingerprint)
            if endpoint.pinned_fingerprint:
                result["detail"] = _("server key %(fingerprint)s (as remembered)") % {"fingerprint": fingerprint}
            else:
                result["detail"] = _("server key %(fingerprint)s (not known before)") % {"fingerprint": fingerprint}
        with steps.step(STEP_LOGIN) as result:
            timeout = deadline.timeout(STEP_LOGIN)
            # Opening the SFTP subsystem has no timeout of its own in paramiko: a watchdog closes the connection.
            watchdog = threading.Timer(timeout, ssh.close)
            watchdog.daemon = True
            watchdog.start()
            try:
                _sftp_login(ssh, endpoint, deadline)
                sftp = _sftp_session(ssh, timeout=deadline.timeout(STEP_LOGIN))
            except (OSError, EOFError, paramiko.SSHException) as error:
                if watchdog.finished.is_set():
                    raise PushError(
                        STEP_LOGIN, _("The server stopped answering (no reply within the time limit).")
                    ) from error
                raise
            finally:
                watchdog.cancel()
            result["detail"] = _("logged in as %(user)s") % {"user": endpoint.username}
    except BaseException:
        ssh.close()
        raise
    return SftpTransport(ssh, sftp, deadline, fingerprint)


def _sftp_session(ssh: paramiko.Transport, *, timeout: float) -> _PushSftpClient:
    channel = ssh.open_session(timeout=timeout)
    channel.settimeout(timeout)
    try:
        channel.invoke_subsystem("sftp")
    except paramiko.SSHException as error:
        if not ssh.is_active():
            raise  # the connection died (or the watchdog closed it): not a refusal
        raise PushError(STEP_LOGIN, _("The server does not offer SFTP."), permanent=True) from error
    return _PushSftpClient(channel)


def _sftp_login(ssh: paramiko.Transport, endpoint: Endpoint, deadline: Deadline) -> None:
    ssh.auth_timeout = deadline.timeout(STEP_LOGIN)
    try:
        if endpoint.private_key:
            try:
                key = load_private_key(endpoint.private_key)
            except PrivateKeyError as error:
                raise PushError(STEP_LOGIN, _("The saved private key cannot be read."), permanent=True) from error
            ssh.auth_publickey(endpoint.username, key)
        else:
            ssh.auth_password(endpoint.username, endpoint.password)
    except paramiko.BadAuthenticationType as error:
        raise PushError(
            STEP_LOGIN,
            _("The server does not accept this log-in method (it allows: %(methods)s).")
            % {"methods": ", ".join(error.allowed_types) or "-"},
            permanent=True,
        ) from error
    except paramiko.AuthenticationException as error:
        raise PushError(
            STEP_LOGIN,
            _("The server refused the log-in: wrong login, password or key."),
            permanent=True,
        ) from error
