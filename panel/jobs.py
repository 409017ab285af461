"""Background jobs of the panel app."""

from panel import services
from panel.jobqueue import QUEUE_LOW, background_job


@background_job(queue=QUEUE_LOW, timeout=120, retries=2)
def prune_login_records() -> int:
    """Forget log-in failures and locks that have expired (idempotent)."""
    return services.login_records_prune()
