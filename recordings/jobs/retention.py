"""The nightly retention job: recordings past their customer's retention, and ZIP exports a day old, deleted.

Periodic (centrala/cron.py): `recordings.jobs.retention.apply_retention` daily at
01:30 Europe/Warsaw ("30 1 * * *"), after the night's billing jobs.
"""

from __future__ import annotations

import logging

from panel.jobqueue import QUEUE_LOW, background_job
from recordings import retention, zipper
from recordings.storage import get_storage

logger = logging.getLogger("recordings.jobs")


@background_job(queue=QUEUE_LOW, timeout=3 * 3600, retries=2, retry_intervals=(300, 1800))
def apply_retention() -> dict:
    """Delete recordings past their customer's retention (resumes an interrupted run) and day-old ZIP exports."""
    storage = get_storage()
    result = retention.retention_run(storage=storage)
    exports = zipper.exports_cleanup(storage)
    summary = {
        "run_started_at": result.run_started_at.isoformat(),
        "customers": len(result.logs),
        "deleted": result.deleted_count,
        "bytes": result.deleted_bytes,
        "exports_deleted": exports,
    }
    logger.info("retention run %s", summary)
    return summary
