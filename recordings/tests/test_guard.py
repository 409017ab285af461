"""Bans of password-guessing addresses and the audit throttle, with a hand-driven clock."""

import pytest

from recordings.ftp.guard import AuditThrottle, LoginGuard

pytestmark = pytest.mark.smoke


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_tenth_failure_within_ten_minutes_bans_for_fifteen_minutes():
    clock = Clock()
    guard = LoginGuard(clock=clock)
    results = []
    for _ in range(10):
        clock.now += 59
        results.append(guard.register_failure("198.51.100.1"))
    assert results == [False] * 9 + [True]
    assert guard.is_banned("198.51.100.1")
    assert not guard.is_banned("198.51.100.2")  # only that address
    clock.now += 899
    assert guard.is_banned("198.51.100.1")
    clock.now += 1
    assert not guard.is_banned("198.51.100.1")


def test_failures_older_than_the_window_do_not_count():
    clock = Clock()
    guard = LoginGuard(clock=clock)
    for _ in range(30):
        clock.now += 67  # ten failures span 603 s: never 10 within 600 s
        assert guard.register_failure("198.51.100.1") is False
    assert not guard.is_banned("198.51.100.1")


def test_after_a_ban_the_count_starts_again():
    clock = Clock()
    guard = LoginGuard(max_failures=3, window=60, ban_seconds=10, clock=clock)
    assert [guard.register_failure("a") for _ in range(3)] == [False, False, True]
    clock.now += 11
    assert not guard.is_banned("a")
    assert guard.register_failure("a") is False


def test_memory_is_bounded_by_forgetting_old_addresses():
    clock = Clock()
    guard = LoginGuard(clock=clock)
    for number in range(10_001):
        guard.register_failure(f"10.0.{number // 256}.{number % 256}")
    clock.now += 601
    guard.register_failure("192.0.2.1")
    assert len(guard._failures) == 1


def test_audit_throttle_lets_one_through_per_interval_and_key():
    clock = Clock()
    throttle = AuditThrottle(interval=60, clock=clock)
    assert throttle.allow("banned:1.2.3.4")
    assert not throttle.allow("banned:1.2.3.4")
    assert throttle.allow("banned:5.6.7.8")
    clock.now += 60
    assert throttle.allow("banned:1.2.3.4")
