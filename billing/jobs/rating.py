"""Background jobs of rating: thin entry points that take ids and call billing.rating_service.

Ingestion enqueues `rate_call_records(customer_id, [record_id])` when a call
arrives; `rate_pending_call_records` runs every minute from centrala/cron.py and
picks up whatever is still pending (a lost job, a queue that was down).
"""

from __future__ import annotations

from datetime import timedelta

import django_rq
from django.utils import timezone
from rq.job import JobStatus

from billing import rating_service
from billing.choices import RatingStatus
from billing.models import CallRecord
from panel.jobqueue import QUEUE_DEFAULT, QUEUE_LOW, background_job, enqueue_now
from panel.models import Customer

# Records younger than this still have their own job on the way; the sweep leaves them to it.
SWEEP_GRACE = timedelta(seconds=30)
WAITING = frozenset({JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED})


@background_job(queue=QUEUE_DEFAULT, timeout=900, retries=5)
def rate_call_records(customer_id: int, call_ids: list[int] | None = None) -> dict[str, int]:
    """Rate one customer's pending call records (these ids, or all pending) and debit the ledger.

    Safe to run twice or concurrently: rated records are skipped and every
    charge has its idempotency key.
    """
    customer = Customer.objects.get(pk=customer_id)
    summary = rating_service.call_records_rate(customer=customer, call_ids=call_ids)
    return {"rated": summary.rated, "unratable": summary.unratable}


@background_job(queue=QUEUE_LOW, timeout=120, retries=1)
def rate_pending_call_records() -> int:
    """Every minute: one rating job per customer with records still pending, unless one is already waiting."""
    cutoff = timezone.now() - SWEEP_GRACE
    customer_ids = (
        CallRecord.objects.filter(rating_status=RatingStatus.PENDING, created_at__lt=cutoff)
        .order_by()
        .values_list("customer_id", flat=True)
        .distinct()
    )
    queue = django_rq.get_queue(rate_call_records.job_policy.queue)
    enqueued = 0
    for customer_id in customer_ids:
        job_id = f"rate-pending-calls-{customer_id}"
        job = queue.fetch_job(job_id)
        if job is not None and job.get_status() in WAITING:
            continue
        enqueue_now(rate_call_records, customer_id, None, job_id=job_id)
        enqueued += 1
    return enqueued
