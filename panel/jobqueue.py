"""Conventions for background jobs, used by every app.

A job is a plain function decorated with `@background_job(...)`, which
declares its queue, timeout and retry policy in one place. It is enqueued
with `enqueue(job, ...)` on transaction commit, so it never runs against
uncommitted data. Jobs take ids, reload what they need and are idempotent.
Periodic jobs are declared in `centrala/cron.py` and go through `dispatch`, so
they get the same timeout and retry policy as when enqueued by hand.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import django_rq
from django.db import transaction
from rq import Retry

QUEUE_HIGH = "high"
QUEUE_DEFAULT = "default"
QUEUE_LOW = "low"
QUEUES = (QUEUE_HIGH, QUEUE_DEFAULT, QUEUE_LOW)


@dataclass(frozen=True)
class JobPolicy:
    queue: str
    timeout: int
    retries: int
    retry_intervals: tuple[int, ...] = field(default=(10, 60, 300))


REGISTRY: dict[str, JobPolicy] = {}


def background_job(*, queue: str = QUEUE_DEFAULT, timeout: int, retries: int = 3, retry_intervals=(10, 60, 300)):
    """Declare a function as a background job with an explicit timeout and retry policy."""
    if queue not in QUEUES:
        raise ValueError(f"Unknown queue {queue!r}; use one of {QUEUES}.")
    if timeout <= 0:
        raise ValueError("A job needs a positive timeout.")

    def decorate(func: Callable) -> Callable:
        policy = JobPolicy(queue=queue, timeout=timeout, retries=retries, retry_intervals=tuple(retry_intervals))
        func.job_policy = policy
        REGISTRY[f"{func.__module__}.{func.__qualname__}"] = policy
        return func

    return decorate


def _policy(func: Callable) -> JobPolicy:
    policy = getattr(func, "job_policy", None)
    if policy is None:
        raise TypeError(f"{func.__module__}.{func.__qualname__} is not declared with @background_job.")
    return policy


def enqueue_now(func: Callable, *args, job_id: str | None = None, **kwargs):
    """Enqueue immediately (outside a transaction, e.g. from the cron dispatcher)."""
    policy = _policy(func)
    queue = django_rq.get_queue(policy.queue)
    return queue.enqueue(
        func,
        *args,
        job_id=job_id,
        job_timeout=policy.timeout,
        retry=Retry(max=policy.retries, interval=list(policy.retry_intervals)) if policy.retries else None,
        failure_ttl=7 * 24 * 3600,
        **kwargs,
    )


def enqueue(func: Callable, *args, job_id: str | None = None, **kwargs) -> None:
    """Enqueue `func` with its declared policy once the current transaction commits."""
    _policy(func)
    transaction.on_commit(lambda: enqueue_now(func, *args, job_id=job_id, **kwargs))


def enqueue_at(when: datetime, func: Callable, *args, job_id: str | None = None, **kwargs):
    """Schedule `func` with its declared policy for `when` (aware); a worker started --with-scheduler runs it."""
    policy = _policy(func)
    queue = django_rq.get_queue(policy.queue)
    return queue.enqueue_at(
        when,
        func,
        *args,
        job_id=job_id,
        job_timeout=policy.timeout,
        retry=Retry(max=policy.retries, interval=list(policy.retry_intervals)) if policy.retries else None,
        failure_ttl=7 * 24 * 3600,
        **kwargs,
    )


def cancel_scheduled(job_id: str) -> bool:
    """Take a scheduled or queued job out (the job itself must also refuse to run for a cancelled object)."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    connection = django_rq.get_connection(QUEUE_DEFAULT)
    try:
        job = Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        return False
    job.cancel()
    job.delete()
    return True


def resolve(dotted_name: str) -> Callable:
    module_name, _, attr = dotted_name.rpartition(".")
    func = getattr(importlib.import_module(module_name), attr)
    _policy(func)
    return func


def dispatch(dotted_name: str, *args, **kwargs) -> str:
    """Entry point of periodic jobs: enqueue the named job with its own policy."""
    job = enqueue_now(resolve(dotted_name), *args, **kwargs)
    return job.id
