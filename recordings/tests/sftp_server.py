"""A real SFTP server for tests: paramiko's server side over a folder, in a thread on 127.0.0.1 (port 0).

Log-in by password or public key; "/" is the folder. Faults on demand:
`crash_after_files` drops the connection when a further file is opened for
writing, `host_key` can be replaced between connections, `offer_checksums`
switches the "check-file" extension off. `uploads` lists every path opened for
writing, in order.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import posixpath
import socket
import threading
from pathlib import Path

import paramiko
from paramiko.sftp import CMD_EXTENDED_REPLY, SFTP_FAILURE, SFTP_OP_UNSUPPORTED, Message

PASSWORD = "push-secret"


class _Auth(paramiko.ServerInterface):
    def __init__(self, server: SftpTestServer) -> None:
        self.server = server

    def get_allowed_auths(self, username):
        return "password,publickey"

    def check_auth_password(self, username, password):
        ok = (username, password) == (self.server.username, self.server.password)
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

    def check_auth_publickey(self, username, key):
        ok = username == self.server.username and self.server.authorized_key is not None
        ok = ok and key.asbytes() == self.server.authorized_key.asbytes()
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

    def check_channel_request(self, kind, chanid):
        return paramiko.OPEN_SUCCEEDED if kind == "session" else paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED


class _Handle(paramiko.SFTPHandle):
    def stat(self):
        return paramiko.SFTPAttributes.from_stat(os.fstat((self.readfile or self.writefile).fileno()))


class _Files(paramiko.SFTPServerInterface):
    def __init__(self, channel_server, test_server: SftpTestServer, *args, **kwargs) -> None:
        super().__init__(channel_server, *args, **kwargs)
        self.test = test_server

    def canonicalize(self, path):
        return posixpath.normpath("/" + (path or "/")).replace("//", "/")

    def _real(self, path) -> str:
        return str(self.test.root / self.canonicalize(path).lstrip("/"))

    def _attempt(self, func, *args):
        try:
            return func(*args)
        except OSError as error:
            return paramiko.SFTPServer.convert_errno(error.errno)

    def list_folder(self, path):
        real = self._real(path)
        return self._attempt(
            lambda: [
                paramiko.SFTPAttributes.from_stat(os.stat(os.path.join(real, name)), name) for name in os.listdir(real)
            ]
        )

    def stat(self, path):
        return self._attempt(lambda: paramiko.SFTPAttributes.from_stat(os.stat(self._real(path))))

    lstat = stat

    def open(self, path, flags, attr):
        writing = flags & (os.O_WRONLY | os.O_RDWR)
        if writing:
            if self.test.crash_after_files is not None and len(self.test.uploads) >= self.test.crash_after_files:
                self.test.drop_connections()
                return SFTP_FAILURE
            self.test.uploads.append(self.canonicalize(path))
        mode = "wb" if writing else "rb"
        handle = _Handle(flags)
        opened = self._attempt(lambda: open(self._real(path), mode))  # noqa: SIM115 - the handle closes it
        if isinstance(opened, int):
            return opened
        handle.filename = self._real(path)
        if writing:
            handle.writefile = opened
        else:
            handle.readfile = opened
        return handle

    def remove(self, path):
        return self._attempt(lambda: os.remove(self._real(path)) or paramiko.SFTP_OK)

    def rename(self, oldpath, newpath):
        if os.path.exists(self._real(newpath)):
            return SFTP_FAILURE
        return self._attempt(lambda: os.rename(self._real(oldpath), self._real(newpath)) or paramiko.SFTP_OK)

    def posix_rename(self, oldpath, newpath):
        return self._attempt(lambda: os.replace(self._real(oldpath), self._real(newpath)) or paramiko.SFTP_OK)

    def mkdir(self, path, attr):
        return self._attempt(lambda: os.mkdir(self._real(path)) or paramiko.SFTP_OK)

    def rmdir(self, path):
        return self._attempt(lambda: os.rmdir(self._real(path)) or paramiko.SFTP_OK)

    def chattr(self, path, attr):
        return paramiko.SFTP_OK


class _SftpSubsystem(paramiko.SFTPServer):
    """paramiko's SFTP server with a correct "check-file" (paramiko's own loops forever past 128 KiB)."""

    def _check_file(self, request_number, msg):
        handle = msg.get_binary()
        algorithms = msg.get_list()
        start, length, block_size = msg.get_int64(), msg.get_int64(), msg.get_int()
        usable = [name for name in algorithms if name in ("sha1", "md5")]  # what paramiko's server offers
        if not self.server.test.offer_checksums:
            self._send_status(request_number, SFTP_OP_UNSUPPORTED, "check-file is not offered")
            return
        if handle not in self.file_table or not usable or block_size:
            self._send_status(request_number, SFTP_FAILURE, "unsupported check-file request")
            return
        with open(self.file_table[handle].filename, "rb") as source:
            source.seek(start)
            data = source.read(length) if length else source.read()
        reply = Message()
        reply.add_int(request_number)
        reply.add_string("check-file")
        reply.add_string(usable[0])
        reply.add_bytes(hashlib.new(usable[0], data).digest())
        self._send_packet(CMD_EXTENDED_REPLY, reply)


class SftpTestServer:
    """Start with `with SftpTestServer(root) as server:`; `server.address` is (host, port)."""

    def __init__(self, root, *, username="push", password=PASSWORD, authorized_key=None, host_key=None):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.username, self.password, self.authorized_key = username, password, authorized_key
        self.host_key = host_key or paramiko.ECDSAKey.generate()
        self.crash_after_files: int | None = None
        self.offer_checksums = True
        self.uploads: list[str] = []
        self._transports: list[paramiko.Transport] = []
        self._stopping = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self._thread = threading.Thread(target=self._accept, name="sftp-test-server", daemon=True)

    @property
    def address(self) -> tuple[str, int]:
        return self._listener.getsockname()[:2]

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                connection, _address = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            transport = paramiko.Transport(connection)
            transport.add_server_key(self.host_key)
            transport.set_subsystem_handler("sftp", _SftpSubsystem, _Files, self)
            self._transports.append(transport)
            # With an event the handshake runs in the transport's own thread, so a slow client blocks nobody.
            transport.start_server(event=threading.Event(), server=_Auth(self))

    def drop_connections(self) -> None:
        """Cut every connection at once, like a server that crashed (called from a server thread)."""
        for transport in list(self._transports):
            with contextlib.suppress(OSError):
                transport.sock.shutdown(socket.SHUT_RDWR)
            threading.Thread(target=transport.close, daemon=True).start()

    def start(self) -> SftpTestServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        for transport in self._transports:
            transport.close()

    def __enter__(self) -> SftpTestServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
