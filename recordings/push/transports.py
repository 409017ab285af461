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
import socket
import ssl
import stat
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

import paramiko
from django.utils.translation import gettext as _

from recordings.push.choices import PushProtocol
from recordings.push.hosts import address_allowed, parse_ip
from recordings.push.paths import folder_parents

CHUNK_SIZE = 256 * 1024
PUSH_OPERATION_TIMEOUT = 60.0
CHECKSUM_ALGORITHMS = ("sha256", "sha1", "md5")
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

    @abstractmethod
    def upload(self, source: BinaryIO, path: str) -> int:
        """Write `source` to `path` (replacing it); returns the bytes sent."""

    @abstractmethod
    def rename(self, source: str, target: str) -> None:
        """Give an uploaded file its final name, replacing a file of that name."""

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

    def _arm(self, step: str) -> None:
        timeout = self.deadline.timeout(step)
        self.client.timeout = timeout  # used for data connections
        if self.client.sock is not None:
            self.client.sock.settimeout(timeout)

    def _call(self, step: str, func, *args):
        self._arm(step)
        try:
            return func(*args)
        except (OSError, EOFError, ftplib.error_proto, ftplib.error_reply) as error:
            # A dead connection, or answers out of step with our commands: this conversation is over.
            raise _lost(step, error) from error

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
        try:
            size = self._call(STEP_VERIFY, self.client.size, path)
        except ftplib.error_perm as error:
            code = str(error)[:3]
            if code in ("500", "501", "502", "504"):
                return self._size_from_mlst(path)
            return None  # 550: no such file
        except ftplib.error_temp as error:
            raise PushError(
                STEP_VERIFY, _("The server cannot tell the file size: %(error)s") % {"error": error}
            ) from error
        return int(size) if size is not None else None

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

    def upload(self, source: BinaryIO, path: str) -> int:
        sent = 0

        def count(chunk: bytes) -> None:
            nonlocal sent
            sent += len(chunk)

        try:
            self._call(STEP_UPLOAD, self.client.storbinary, f"STOR {path}", source, CHUNK_SIZE, count)
        except ftplib.error_perm as error:
            raise PushError(STEP_UPLOAD, _upload_refusal(path, error)) from error
        except ftplib.error_temp as error:
            raise PushError(STEP_UPLOAD, _upload_refusal(path, error)) from error
        return sent

    def rename(self, source: str, target: str) -> None:
        try:
            self._call(STEP_RENAME, self.client.rename, source, target)
            return
        except ftplib.error_perm as error:
            first = error
        except ftplib.error_temp as error:
            first = error
        # Some servers do not rename over an existing file: remove the old one and try once more.
        if self.delete(target):
            try:
                self._call(STEP_RENAME, self.client.rename, source, target)
                return
            except (ftplib.error_perm, ftplib.error_temp) as error:
                first = error
        raise PushError(
            STEP_RENAME,
            _("The server refused to rename %(source)s to its final name: %(error)s")
            % {"source": source, "error": first},
        )

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


class SftpTransport(Transport):
    protocol = PushProtocol.SFTP

    def __init__(self, ssh: paramiko.Transport, sftp: paramiko.SFTPClient, deadline: Deadline, fingerprint: str):
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

    def upload(self, source: BinaryIO, path: str) -> int:
        sent = 0
        try:
            remote = self._call(STEP_UPLOAD, self.sftp.open, path, "wb")
            with remote:
                remote.set_pipelined(True)
                while chunk := source.read(CHUNK_SIZE):
                    self._call(STEP_UPLOAD, remote.write, chunk)
                    sent += len(chunk)
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
        return sent

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


def _sftp_session(ssh: paramiko.Transport, *, timeout: float) -> paramiko.SFTPClient:
    channel = ssh.open_session(timeout=timeout)
    channel.settimeout(timeout)
    try:
        channel.invoke_subsystem("sftp")
    except paramiko.SSHException as error:
        if not ssh.is_active():
            raise  # the connection died (or the watchdog closed it): not a refusal
        raise PushError(STEP_LOGIN, _("The server does not offer SFTP."), permanent=True) from error
    return paramiko.SFTPClient(channel)


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
