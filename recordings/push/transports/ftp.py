"""The push over FTP and FTPS (explicit TLS, `AUTH TLS`), with ftplib: one transport class for both.

`FtpTransport` sends commands in batches where the protocol allows it (SIZE
of every file, RNFR/RNTO of every pair, the next data port asked for ahead)
and lets the kernel copy a plain file to a plain data socket.
`_ftp_greeting` and `_ftp_secure_and_log_in` are this protocol's part of
`open_transport`: the server's greeting, then TLS (FTPS) and the log-in.
"""

from __future__ import annotations

import contextlib
import ftplib
import os
import socket
import ssl
import stat
from typing import BinaryIO

from django.utils.translation import gettext as _

from recordings.push.choices import PushProtocol
from recordings.push.transports.base import (
    STEP_CONNECT,
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

CHUNK_SIZE = 1024 * 1024  # what a copy reads and writes at once where the kernel cannot copy by itself
# FTP commands sent in one write before their answers are read: a hundred short answers fit any socket buffer,
# so the server never waits for us to read while we wait for it to read.
FTP_PIPELINE_COMMANDS = 100


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
