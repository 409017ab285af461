"""Background jobs of the recordings push: the nightly planner and one push job per customer.

`push_nightly` runs at 00:05 Europe/Warsaw (centrala/cron.py) and enqueues, for
every customer with the service on, one `push_customer_days` job for
yesterday plus the unfinished days of the past week, oldest first. The job id
`push-<customer id>-<day>` keeps a second copy from being queued while one is
waiting or running; the run row's lease keeps two workers off the same day.
A failure that retrying can fix raises, so RQ tries again with backoff within
the night; what is still not sent is picked up by the next night's run.
"""

from __future__ import annotations

import logging
from datetime import date

import django_rq
from django.utils import timezone
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from panel.jobqueue import QUEUE_LOW, background_job, enqueue_now
from panel.models import Customer
from recordings.push import selectors, services
from recordings.push.days import previous_local_day

logger = logging.getLogger("recordings.push")

WAITING = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


class PushIncomplete(Exception):
    """Raised by a push job so that RQ retries it: some recordings could not be sent yet."""


def push_job_id(customer_id: int, day: date) -> str:
    return f"push-{customer_id}-{day.isoformat()}"


def enqueue_push_unique(customer_id: int, days: list[date], *, recheck: bool = False) -> Job | None:
    """Enqueue a push of `days` unless the same job (customer and last day) is already waiting or running."""
    job_id = push_job_id(customer_id, max(days))
    queue = django_rq.get_queue(push_customer_days.job_policy.queue)
    try:
        existing = Job.fetch(job_id, connection=queue.connection)
    except NoSuchJobError:
        existing = None
    if existing is not None and existing.get_status(refresh=False) in WAITING:
        return None
    return enqueue_now(
        push_customer_days, customer_id, [day.isoformat() for day in sorted(days)], recheck, job_id=job_id
    )


@background_job(queue=QUEUE_LOW, timeout=300, retries=3)
def push_nightly() -> int:
    """At 00:05: queue yesterday's push (plus the week's backlog) for every customer with the service on."""
    now = timezone.now()
    customers = selectors.customers_with_push(at=now)
    queued = 0
    for customer in customers:
        days = selectors.backlog_days(customer=customer, now=now)
        for day in days:
            services.push_run_queue(customer=customer, day=day, now=now)
        if enqueue_push_unique(customer.pk, days) is not None:
            queued += 1
    logger.info("push night for %s: %d customers queued", previous_local_day(now), queued)
    return queued


@background_job(queue=QUEUE_LOW, timeout=3 * 3600, retries=3, retry_intervals=(300, 1200, 3600))
def push_customer_days(customer_id: int, days: list[str], recheck: bool = False) -> dict:
    """Push one customer's days oldest first (safe to repeat: confirmed recordings are not sent again)."""
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        return {}  # the customer was deleted meanwhile: nothing left to push
    outcomes = services.push_days(customer=customer, days=[date.fromisoformat(day) for day in days], recheck=recheck)
    summary = {outcome.run.day.isoformat(): outcome.run.status for outcome in outcomes if outcome.run is not None}
    if any(outcome.retry or outcome.busy for outcome in outcomes):
        raise PushIncomplete(f"push of {customer.prefix} not complete: {summary}")
    return summary
