"""The FTP audit log's database rows, written in small batches so that no client waits for a commit.

The server is one event loop: every row written while a client waits stalls
every other client too. So the loop only notes a row (`AuditLog.add`: the
log line goes out at once, the row gets its time then), and a timer on the
same loop inserts what has gathered with one statement in one transaction a
moment later. Every row still reaches the database, in order and within
`AUDIT_DELAY`; the server writes whatever is left when it closes.

The row and the log line are exactly those of `recordings.services.ftp_log_record`,
which writes a single row at once (the panel and the tests use it).
"""

from __future__ import annotations

import logging
import time

from django.db import OperationalError, transaction

from recordings.ftp.database import ensure_usable_connections
from recordings.models import FtpLogEntry
from recordings.services import ftp_log_entry

logger = logging.getLogger("recordings.ftp")

AUDIT_DELAY = 0.25  # seconds a row waits at most for the others of its batch
AUDIT_BATCH = 200  # rows written at once, without waiting for the delay
AUDIT_ATTEMPTS = 3


class AuditLog:
    """Rows of the FTP audit log on their way to the database (one per server, used by its event loop only)."""

    def __init__(self, *, delay: float = AUDIT_DELAY, batch: int = AUDIT_BATCH) -> None:
        self.delay = delay
        self.batch = batch
        self._waiting: list[FtpLogEntry] = []
        self._timer = None

    def add(
        self,
        ioloop,
        *,
        event: str,
        login: str = "",
        ip: str | None = None,
        customer=None,
        path: str = "",
        detail: str = "",
        bytes_sent: int | None = None,
    ) -> None:
        """Log one line now and keep its row, which is written within `delay` seconds (at once without a loop)."""
        self._waiting.append(
            ftp_log_entry(
                event=event, login=login, ip=ip, customer=customer, path=path, detail=detail, bytes_sent=bytes_sent
            )
        )
        if len(self._waiting) >= self.batch or ioloop is None:
            self.flush()
        elif self._timer is None:
            self._timer = ioloop.call_later(self.delay, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self.flush()

    def flush(self) -> None:
        """Write every waiting row now; a failure to log never breaks the server (it is logged instead)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        rows, self._waiting = self._waiting, []
        if rows:
            _write(rows)


def _write(rows: list[FtpLogEntry]) -> None:
    for attempt in range(AUDIT_ATTEMPTS):
        try:
            ensure_usable_connections()
            with transaction.atomic():
                FtpLogEntry.objects.bulk_create(rows)
            return
        except OperationalError:
            if attempt + 1 < AUDIT_ATTEMPTS:
                time.sleep(0.01)  # SQLite busy ("database is locked"): a moment, then again
                continue
            logger.exception("could not write %d FTP audit log rows", len(rows))
        except Exception:
            logger.exception("could not write %d FTP audit log rows", len(rows))
            return
