"""Temporary bans of IP addresses that keep guessing FTP passwords (plain Python, any clock)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class LoginGuard:
    """After `max_failures` failed log-ins from one IP within `window` seconds, ban that IP for `ban_seconds`.

    Kept in the FTP server's memory: one server process serves all
    connections, and a restart forgiving old failures is acceptable.
    """

    def __init__(
        self,
        *,
        max_failures: int = 10,
        window: float = 600,
        ban_seconds: float = 900,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        self.ban_seconds = ban_seconds
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._banned_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def is_banned(self, ip: str) -> bool:
        with self._lock:
            until = self._banned_until.get(ip)
            if until is None:
                return False
            if self.clock() >= until:
                del self._banned_until[ip]
                return False
            return True

    def register_failure(self, ip: str) -> bool:
        """Count a failed log-in from `ip`; True if this failure got the IP banned."""
        with self._lock:
            now = self.clock()
            failures = self._failures.setdefault(ip, deque())
            failures.append(now)
            while failures and failures[0] <= now - self.window:
                failures.popleft()
            banned = len(failures) >= self.max_failures
            if banned:
                self._banned_until[ip] = now + self.ban_seconds
                del self._failures[ip]
            if len(self._failures) > 10_000:
                self._forget_old(now)
            return banned

    def _forget_old(self, now: float) -> None:
        for key in [key for key, times in self._failures.items() if times[-1] <= now - self.window]:
            del self._failures[key]
        for key in [key for key, until in self._banned_until.items() if until <= now]:
            del self._banned_until[key]


class AuditThrottle:
    """Lets one audit row per key through every `interval` seconds.

    A client that keeps reconnecting while banned or over a connection
    limit would otherwise write a database row per attempt; the Python
    log still gets every one.
    """

    def __init__(self, *, interval: float = 60, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self.clock = clock
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        with self._lock:
            now = self.clock()
            last = self._last.get(key)
            if last is not None and now - last < self.interval:
                return False
            if len(self._last) > 10_000:
                self._last = {k: t for k, t in self._last.items() if now - t < self.interval}
            self._last[key] = now
            return True
