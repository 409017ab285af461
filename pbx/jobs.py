"""RQ entry points of the pbx app: take ids, reload, call a service."""

from __future__ import annotations

from panel.jobqueue import QUEUE_LOW, background_job


@background_job(queue=QUEUE_LOW, timeout=300, retries=2, retry_intervals=(60, 600))
def prune_live_calls() -> str:
    """Close live calls whose "ended" event never came; forget ended calls and their events after a week."""
    from pbx.services.monitoring import live_calls_prune

    closed, deleted = live_calls_prune()
    return f"closed {closed}, deleted {deleted}"
