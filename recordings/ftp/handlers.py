"""The FTP command handlers: pyftpdlib's, plus bans, read-only refusals and the audit log."""

from __future__ import annotations

import logging

from pyftpdlib.handlers import DTPHandler, FTPHandler, TLS_FTPHandler

from recordings.choices import FtpEvent
from recordings.ftp.audit import AuditLog
from recordings.ftp.guard import AuditThrottle

logger = logging.getLogger("recordings.ftp")

SENDFILE_CHUNK = 1024 * 1024  # bytes one sendfile() call may send (pyftpdlib's default 64 KiB costs a loop turn each)
BANNED_REPLY = "421 Too many failed log-ins from your address. Try again later."
# Facts that mean something for a virtual tree (no inode numbers, owners or modes).
MLSX_FACTS = ["type", "perm", "size", "modify"]


class RecordingsHandlerMixin:
    """Behaviour shared by the plain and the TLS handler.

    - an IP banned by the LoginGuard is refused at connect and at USER/PASS;
    - every failed log-in counts towards the ban (pyftpdlib itself delays
      the answer by `auth_failed_timeout` and disconnects after
      `max_login_attempts`);
    - every log-in, download and refused command goes to the audit log.
    """

    guard = None  # LoginGuard, set on the per-server subclass
    throttle = AuditThrottle()  # replaced per server as well
    audit_log = AuditLog()  # replaced per server as well

    def __init__(self, conn, server, ioloop=None):
        self.customer = None
        self._retrieving = ""
        super().__init__(conn, server, ioloop)
        self._current_facts = list(MLSX_FACTS)
        self._available_facts = list(MLSX_FACTS)

    @property
    def client_ip(self) -> str:
        ip = self.remote_ip or ""
        return ip[7:] if ip.startswith("::ffff:") else ip

    def audit(self, event: str, *, path: str = "", detail: str = "", bytes_sent: int | None = None) -> None:
        """Add one audit line (written a moment later, see AuditLog); a failure to log never breaks the session."""
        customer = self.customer
        self.audit_log.add(
            self.ioloop,
            event=event,
            login=customer.prefix if customer is not None else (self.username or ""),
            ip=self.client_ip or None,
            customer=customer,
            path=path,
            detail=detail,
            bytes_sent=bytes_sent,
        )

    # --- bans

    def audit_connection_refusal(self, event: str, detail: str) -> None:
        if self.throttle.allow(f"{event}:{detail}:{self.client_ip}"):
            self.audit(event, detail=detail)
        else:
            logger.info("ftp %s ip=%s %s (repeated, not stored)", event, self.client_ip, detail)

    def _refuse_banned(self) -> None:
        self.respond_w_warning(BANNED_REPLY)
        self.audit_connection_refusal(FtpEvent.BANNED, "refused: too many failed log-ins from this address")
        self.close_when_done()

    def on_connect(self):
        if self.guard.is_banned(self.client_ip):
            self._refuse_banned()

    def ftp_USER(self, line):
        if self.guard.is_banned(self.client_ip):
            self._refuse_banned()
            return
        super().ftp_USER(line)

    def ftp_PASS(self, line):
        if self.guard.is_banned(self.client_ip):
            self._refuse_banned()
            return
        super().ftp_PASS(line)

    def handle_auth_failed(self, msg, password):
        login = self.username
        self.audit(FtpEvent.LOGIN_FAILED, detail=msg or "Authentication failed.")
        if self.guard.register_failure(self.client_ip):
            self.audit(FtpEvent.BANNED, detail=f"address blocked after failed log-in as {login!r}")
        super().handle_auth_failed(msg, password)

    def handle_max_cons(self):
        self.audit_connection_refusal(FtpEvent.REFUSED, "too many connections")
        super().handle_max_cons()

    def handle_max_cons_per_ip(self):
        self.audit_connection_refusal(FtpEvent.REFUSED, "too many connections from this address")
        super().handle_max_cons_per_ip()

    # --- log-in and downloads

    def flush_account(self):
        super().flush_account()
        self.customer = None

    def on_login(self, username):
        self.audit(FtpEvent.LOGIN, detail="TLS" if getattr(self, "_ssl_established", False) else "plain")

    def ftp_RETR(self, file):
        self._retrieving = file
        return super().ftp_RETR(file)

    def ftp_STOU(self, line):
        self.respond("550 Not enough privileges.")

    def log_transfer(self, cmd, filename, receive, completed, elapsed, bytes):
        # The virtual path, never where the file really is on the server.
        super().log_transfer(cmd, self._retrieving or "-", receive, completed, elapsed, bytes)
        if cmd == "RETR" and not receive:
            self.audit(
                FtpEvent.DOWNLOAD,
                path=self._retrieving,
                detail="complete" if completed else "interrupted",
                bytes_sent=bytes,
            )

    def log_cmd(self, cmd, arg, respcode, respstr):
        super().log_cmd(cmd, arg, respcode, respstr)
        if int(respcode) < 500:
            return
        # Never keep what follows PASS: it is (a guess of) a password.
        path = "" if cmd in ("USER", "PASS") else str(arg or "")
        detail = f"{cmd} {respcode} {respstr}"
        if self.authenticated or self.throttle.allow(f"refused-before-log-in:{self.client_ip}"):
            self.audit(FtpEvent.REFUSED, path=path, detail=detail)
        else:
            # Someone who has not logged in cannot make the server write a row per command.
            logger.info("ftp refused ip=%s %s (repeated before log-in, not stored)", self.client_ip, detail)


class RecordingsDtpHandler(DTPHandler):
    """pyftpdlib's data channel, with sendfile() sending up to SENDFILE_CHUNK per call."""

    ac_out_buffer_size = SENDFILE_CHUNK


class RecordingsFtpHandler(RecordingsHandlerMixin, FTPHandler):
    """Plain FTP (no AUTH TLS)."""

    dtp_handler = RecordingsDtpHandler


class RecordingsTlsFtpHandler(RecordingsHandlerMixin, TLS_FTPHandler):
    """FTP with explicit TLS (AUTH TLS); can require TLS before log-in and for data."""
