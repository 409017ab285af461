"""Writes of the panel app: customers, users, and log-in protection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from panel.choices import LockScope
from panel.models import Customer, LoginFailure, LoginLock, User


@dataclass(frozen=True)
class LoginBlock:
    """Why and until when a log-in attempt is refused without checking the password."""

    scope: str
    until: datetime


def _normalise_username(username: str) -> str:
    return (username or "").strip().lower()[:150]


def login_block_get(*, username: str, ip: str | None, now: datetime | None = None) -> LoginBlock | None:
    """The active lock that refuses this user name or IP address, if any."""
    now = now or timezone.now()
    keys = [(LockScope.USERNAME, _normalise_username(username))]
    if ip:
        keys.append((LockScope.IP, ip))
    for scope, key in keys:
        lock = LoginLock.objects.filter(scope=scope, key=key, locked_until__gt=now).order_by("-locked_until").first()
        if lock:
            return LoginBlock(scope=scope, until=lock.locked_until)
    return None


@transaction.atomic
def login_failure_register(*, username: str, ip: str | None, now: datetime | None = None) -> LoginBlock | None:
    """Record a wrong password; lock the user name and/or IP when the limit is reached.

    After LOGIN_FAILURE_LIMIT failures of a user name (or from an IP address)
    within LOGIN_FAILURE_WINDOW_SECONDS, that user name (or IP) is refused for
    LOGIN_LOCK_SECONDS. Returns the new lock, if one was set.
    """
    now = now or timezone.now()
    username = _normalise_username(username)
    LoginFailure.objects.create(username=username, ip=ip or None, created_at=now)
    window_start = now - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    until = now + timedelta(seconds=settings.LOGIN_LOCK_SECONDS)
    recent = LoginFailure.objects.filter(created_at__gt=window_start, created_at__lte=now)
    block = None
    checks = [(LockScope.USERNAME, username, recent.filter(username=username))]
    if ip:
        checks.append((LockScope.IP, ip, recent.filter(ip=ip)))
    for scope, key, failures in checks:
        if failures.count() >= settings.LOGIN_FAILURE_LIMIT:
            LoginLock.objects.create(scope=scope, key=key, locked_until=until)
            failures.delete()
            block = block or LoginBlock(scope=scope, until=until)
    return block


def login_success_register(*, username: str) -> None:
    """A correct password clears the user name's earlier failures."""
    LoginFailure.objects.filter(username=_normalise_username(username)).delete()


def login_records_prune(*, now: datetime | None = None) -> int:
    """Delete failures and locks that can no longer matter; returns how many rows went."""
    now = now or timezone.now()
    horizon = now - timedelta(seconds=max(settings.LOGIN_FAILURE_WINDOW_SECONDS, settings.LOGIN_LOCK_SECONDS))
    deleted_failures, _ = LoginFailure.objects.filter(created_at__lt=horizon).delete()
    deleted_locks, _ = LoginLock.objects.filter(locked_until__lt=now).delete()
    return deleted_failures + deleted_locks


@transaction.atomic
def customer_create(*, name: str, prefix: str, package: str, **extra) -> Customer:
    customer = Customer(name=name, prefix=prefix, package=package, **extra)
    customer.full_clean()
    customer.save()
    return customer


@transaction.atomic
def customer_user_create(*, customer: Customer, username: str, password: str, email: str = "", **extra) -> User:
    user = User(customer=customer, username=username, email=email, **extra)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user
