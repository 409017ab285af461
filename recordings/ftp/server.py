"""Assembling and running the recordings FTP server.

`build_server(config)` returns a ready pyftpdlib server with its own event
loop, so several can live in one process (the tests start one per test on
port 0). `manage.py runftpserver` calls `serve_forever()` on it;
`BackgroundFtpServer` runs one in a thread and stops it cleanly.
"""

from __future__ import annotations

import ipaddress
import signal
import threading
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import connections
from OpenSSL import SSL
from pyftpdlib.ioloop import IOLoop
from pyftpdlib.servers import FTPServer

from recordings.ftp.audit import AuditLog
from recordings.ftp.authorizer import RecordingsAuthorizer
from recordings.ftp.filesystem import StorageFilesystem
from recordings.ftp.guard import AuditThrottle, LoginGuard
from recordings.ftp.handlers import RecordingsFtpHandler, RecordingsTlsFtpHandler
from recordings.storage import RecordingStorage, get_storage

BANNER = "Centrala recordings FTP server ready."


def parse_port_range(value: str) -> tuple[int, int]:
    """`"60000-60100"` → (60000, 60100); ValueError with a readable reason otherwise."""
    try:
        first, last = (int(part) for part in value.strip().split("-", 1))
    except ValueError:
        raise ValueError(f"expected a port range like 60000-60100, got {value!r}") from None
    if not 1024 <= first <= last <= 65535:
        raise ValueError(f"the passive port range {value!r} must lie within 1024-65535, lowest first")
    return first, last


@dataclass(frozen=True)
class FtpServerConfig:
    """Everything that shapes one FTP server; `from_settings()` gives the configured one."""

    host: str = "127.0.0.1"
    port: int = 2121
    passive_ports: tuple[int, int] | None = None
    tls: bool = False
    certfile: str | None = None
    keyfile: str | None = None
    require_tls: bool = False
    max_connections: int = 512
    max_connections_per_ip: int = 10
    idle_timeout: int = 300
    auth_failed_delay: float = 3.0  # seconds before answering a wrong password
    max_login_attempts: int = 3  # the 3rd failure in a session disconnects
    ban_failures: int = 10
    ban_window_seconds: int = 600
    ban_seconds: int = 900
    masquerade_address: str | None = None

    @classmethod
    def from_settings(cls, **overrides) -> FtpServerConfig:
        config = cls(
            passive_ports=parse_port_range(settings.FTP_PASSIVE_PORTS) if settings.FTP_PASSIVE_PORTS else None,
            certfile=settings.FTP_TLS_CERTFILE,
            keyfile=settings.FTP_TLS_KEYFILE,
            require_tls=settings.FTP_REQUIRE_TLS,
            max_connections=settings.FTP_MAX_CONNECTIONS,
            max_connections_per_ip=settings.FTP_MAX_CONNECTIONS_PER_IP,
            idle_timeout=settings.FTP_IDLE_TIMEOUT,
        )
        config = replace(config, **overrides)
        if config.masquerade_address is None:
            config = replace(config, masquerade_address=public_address_for_passive_mode(config.host))
        return config


def public_address_for_passive_mode(bind_host: str) -> str | None:
    """FTP_PUBLIC_HOST when it is a public IPv4 literal and the server listens on all addresses.

    Behind NAT (e.g. in a container) the PASV reply must carry the address
    clients connect to, not the server's own; a host name cannot go there.
    """
    if bind_host not in ("0.0.0.0", "", "::"):  # noqa: S104 - compared, not bound
        return None
    try:
        address = ipaddress.ip_address(settings.FTP_PUBLIC_HOST)
    except ValueError:
        return None
    if address.version != 4 or address.is_loopback or address.is_unspecified:
        return None
    return str(address)


def tls_context(certfile: str, keyfile: str | None) -> SSL.Context:
    """The server's TLS context: TLS 1.2 or newer, no compression, the configured certificate and key."""
    context = SSL.Context(SSL.TLS_SERVER_METHOD)
    context.set_min_proto_version(SSL.TLS1_2_VERSION)
    context.set_options(SSL.OP_NO_COMPRESSION | SSL.OP_CIPHER_SERVER_PREFERENCE)
    try:
        context.use_certificate_chain_file(certfile)
        context.use_privatekey_file(keyfile or certfile)
        context.check_privatekey()
    except (SSL.Error, OSError) as error:
        raise ValueError(f"cannot use the TLS certificate {certfile} with the key {keyfile}: {error}") from error
    return context


LISTEN_BACKLOG = 1024


class RecordingsFtpServer(FTPServer):
    """pyftpdlib's asynchronous server with its own event loop and exact connection limits.

    Closing it writes the audit rows still waiting for their batch; in the
    main thread, SIGTERM stops `serve_forever()` the same graceful way as Ctrl+C.
    """

    def _accept_new_cons(self) -> bool:
        # The listening socket sits in the same map as the connections: do not count it.
        return not self.max_cons or self._map_len() - 1 <= self.max_cons

    def serve_forever(self, *args, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            return super().serve_forever(*args, **kwargs)
        previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
        try:
            return super().serve_forever(*args, **kwargs)
        finally:
            signal.signal(signal.SIGTERM, previous)

    def close_all(self):
        try:
            return super().close_all()  # closing the connections may add rows (interrupted downloads)
        finally:
            self.handler.audit_log.flush()


def _exit_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


def build_server(
    config: FtpServerConfig,
    *,
    storage: RecordingStorage | None = None,
    guard: LoginGuard | None = None,
) -> RecordingsFtpServer:
    """A listening (not yet serving) FTP server for `config`; storage defaults to the configured one."""
    storage = storage or get_storage()
    guard = guard or LoginGuard(
        max_failures=config.ban_failures, window=config.ban_window_seconds, ban_seconds=config.ban_seconds
    )
    if config.require_tls and not config.tls:
        raise ValueError("requiring TLS needs a server with TLS")
    filesystem = type("BoundStorageFilesystem", (StorageFilesystem,), {"storage": storage})
    attributes = {
        "authorizer": RecordingsAuthorizer(storage),
        "abstracted_fs": filesystem,
        "guard": guard,
        "throttle": AuditThrottle(),
        "audit_log": AuditLog(),
        "banner": BANNER,
        "timeout": config.idle_timeout,
        "auth_failed_timeout": config.auth_failed_delay,
        "max_login_attempts": config.max_login_attempts,
        "permit_foreign_addresses": False,  # no FXP / bounce: data only to the client's own address
        "permit_privileged_ports": False,  # and only to ports >= 1024
        "passive_ports": list(range(config.passive_ports[0], config.passive_ports[1] + 1))
        if config.passive_ports
        else None,
        "masquerade_address": config.masquerade_address,
    }
    if config.tls:
        base = RecordingsTlsFtpHandler
        attributes.update(
            certfile=config.certfile,
            keyfile=config.keyfile,
            ssl_context=tls_context(config.certfile, config.keyfile),  # this server's own, not shared
            tls_control_required=config.require_tls,
            tls_data_required=config.require_tls,
        )
    else:
        base = RecordingsFtpHandler
    handler = type("BoundRecordingsHandler", (base,), attributes)
    # A deep accept queue: hundreds of clients logging in at once must not wait for TCP retries.
    server = RecordingsFtpServer((config.host, config.port), handler, ioloop=IOLoop(), backlog=LISTEN_BACKLOG)
    server.max_cons = config.max_connections
    server.max_cons_per_ip = config.max_connections_per_ip
    server.guard = guard
    return server


class BackgroundFtpServer:
    """Run a built server in a daemon thread: `start()`, then `stop()` closes every connection.

    The loop polls in short steps so `stop()` takes effect within a fraction
    of a second; the server is closed in its own thread, as pyftpdlib expects.
    """

    poll_interval = 0.02

    def __init__(self, server: RecordingsFtpServer) -> None:
        self.server = server
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ftp-server", daemon=True)

    @property
    def address(self) -> tuple[str, int]:
        return self.server.address

    def _run(self) -> None:
        try:
            loop = self.server.ioloop
            while not self._stopping.is_set():
                loop.loop(self.poll_interval, blocking=False)
        finally:
            self.server.close_all()
            connections.close_all()

    def start(self) -> BackgroundFtpServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=10)

    def __enter__(self) -> BackgroundFtpServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
