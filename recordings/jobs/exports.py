"""The ZIP export of a large set of a customer's recordings, built in the background with its progress in the job.

Enqueued by `recordings.services.recording_export_start`; the nightly
retention job (jobs/retention.py) deletes exports a day old.
"""

from __future__ import annotations

import tempfile

from rq import get_current_job

from panel.jobqueue import QUEUE_LOW, background_job
from panel.models import Customer
from recordings import selectors, zipper
from recordings.storage import get_storage


@background_job(queue=QUEUE_LOW, timeout=2 * 3600, retries=1, retry_intervals=(60,))
def build_recordings_zip(customer_id: int, filters: dict, file_name: str) -> dict:
    """Build a ZIP of a customer's filtered recordings into the storage, reporting progress in the job's meta.

    Idempotent: when the ZIP exists already (a retried job), nothing is built again.
    """
    customer = Customer.objects.get(pk=customer_id)
    storage = get_storage()
    target_path = zipper.export_path(customer.prefix, file_name)
    job = get_current_job()

    def report(done: int, total: int) -> None:
        if job is not None:
            job.meta.update({"done": done, "total": total})
            job.save_meta()

    if storage.exists(target_path):
        report(1, 1)
        return {"file": file_name, "size": storage.size(target_path)}
    recordings = selectors.recording_panel_list(
        customer=customer, filters=selectors.RecordingFilters.from_dict(filters), now=_until(filters)
    )
    members = list(zipper.members_of(recordings.order_by("started_at", "pk").values_list("path", "started_at")))
    report(0, len(members))
    with tempfile.TemporaryFile(prefix="centrala-zip-") as spool:
        zipper.write_zip(storage, members, spool, progress=report)
        spool.seek(0)
        stored = storage.save_atomic(target_path, spool, overwrite=True)
    report(len(members), len(members))
    if job is not None:
        job.meta.update({"size": stored.size})
        job.save_meta()
    return {"file": file_name, "size": stored.size, "files": len(members)}


def _until(filters: dict):
    """The moment the customer asked for the ZIP: the 30-day window is counted back from then."""
    from datetime import datetime

    value = filters.get("requested_at")
    return datetime.fromisoformat(value) if value else None
