"""The push over SFTP, with paramiko: the server's key pinned, many writes in flight, a checksum where offered.

`_open_sftp` is this protocol's part of `open_transport`: the SSH handshake
with the server's key compared to the remembered one (`HostKeyChanged` when it
differs), then the log-in by password or private key and the SFTP subsystem.
`load_private_key` also checks the key a customer pastes in the push settings.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import socket
import stat
import struct
import threading
from collections import deque
from collections.abc import Callable
from typing import BinaryIO

import paramiko
from django.utils.translation import gettext as _
from paramiko.sftp import CMD_WRITE

from recordings.push.choices import PushProtocol
from recordings.push.transports.base import (
    STEP_FOLDER,
    STEP_LOGIN,
    STEP_RENAME,
    STEP_TLS,
    STEP_UPLOAD,
    STEP_VERIFY,
    Deadline,
    Endpoint,
    PushError,
    Transport,
    _describe,
    _lost,
    _Steps,
)

CHECKSUM_ALGORITHMS = ("sha256", "sha1", "md5")
# SSH ciphers tried first: AES-GCM encrypts and authenticates in one pass (no separate HMAC over every packet).
PREFERRED_SSH_CIPHERS = ("aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr")
SFTP_WRITE_SIZE = 32768  # the largest write every SFTP server must accept
SFTP_WRITES_IN_FLIGHT = 64  # writes sent before the oldest answer is awaited (OpenSSH's sftp does the same)
SFTP_WRITE_OVERHEAD = 64 + 25  # paramiko's reserve per SSH packet, and the write request's own fields


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
