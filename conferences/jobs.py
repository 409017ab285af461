"""RQ entry points of the conferences app: take ids, reload, call a service."""

from __future__ import annotations

from panel.jobqueue import QUEUE_HIGH, background_job
from panel.models import Customer


@background_job(queue=QUEUE_HIGH, timeout=120, retries=2, retry_intervals=(5, 30))
def dial_out_place(customer_id: int, dial_out_id: int) -> str:
    """Place a planned "add participant" call (now, or when its scheduled time comes)."""
    from conferences.services import dial_out_place as place

    customer = Customer.objects.get(pk=customer_id)
    dial_out = place(customer=customer, dial_out_id=dial_out_id)
    return dial_out.status if dial_out is not None else "missing"
