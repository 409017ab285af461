from datetime import timedelta

import pytest
from django.utils import timezone

from panel import services
from panel.choices import LockScope

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def fail(times, *, username="demo", ip="10.0.0.1", start=None, step=timedelta(seconds=30)):
    start = start or timezone.now()
    block = None
    for index in range(times):
        block = services.login_failure_register(username=username, ip=ip, now=start + index * step)
    return block


def test_four_wrong_passwords_do_not_lock():
    assert fail(4) is None
    assert services.login_block_get(username="demo", ip="10.0.0.1") is None


def test_fifth_wrong_password_locks_the_user_for_15_minutes():
    start = timezone.now()
    block = fail(5, start=start)
    assert block is not None and block.scope == LockScope.USERNAME
    fifth = start + 4 * timedelta(seconds=30)
    assert block.until == fifth + timedelta(minutes=15)
    assert services.login_block_get(username="DEMO ", ip="10.9.9.9", now=fifth + timedelta(minutes=14)) is not None
    assert (
        services.login_block_get(username="demo", ip="10.9.9.9", now=fifth + timedelta(minutes=15, seconds=1)) is None
    )


def test_failures_spread_over_more_than_15_minutes_do_not_lock():
    assert fail(5, step=timedelta(minutes=4)) is None


def test_five_failures_from_one_ip_lock_the_ip_for_every_user_name():
    start = timezone.now()
    for index, name in enumerate(["a1", "b2", "c3", "d4", "e5"]):
        services.login_failure_register(username=name, ip="10.0.0.7", now=start + timedelta(seconds=index))
    block = services.login_block_get(username="someone-else", ip="10.0.0.7")
    assert block is not None and block.scope == LockScope.IP
    assert services.login_block_get(username="someone-else", ip="10.0.0.8") is None


def test_correct_password_clears_earlier_failures():
    fail(4)
    services.login_success_register(username="demo")
    assert fail(1) is None
    assert services.login_block_get(username="demo", ip="10.0.0.1") is None


def test_prune_forgets_expired_records_only():
    old = timezone.now() - timedelta(hours=2)
    fail(5, start=old)
    fail(2, username="fresh", ip="10.0.0.2")
    services.login_records_prune()
    assert services.login_block_get(username="demo", ip="10.0.0.1", now=old + timedelta(minutes=5)) is None
    assert services.login_failure_register(username="fresh", ip="10.0.0.2") is None
    assert fail(2, username="fresh", ip="10.0.0.2") is not None  # the two fresh failures were kept
