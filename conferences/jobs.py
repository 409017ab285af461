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


@background_job(queue=QUEUE_HIGH, timeout=60, retries=3, retry_intervals=(5, 30, 120))
def simulated_hang_up(customer_id: int, call: dict) -> str:
    """The simulator's end of a dialled-out participant's call: the leave event and the call record."""
    from conferences.simulator import hang_up

    customer = Customer.objects.get(pk=customer_id)
    return hang_up(customer=customer, call=call)


@background_job(queue=QUEUE_HIGH, timeout=60, retries=3, retry_intervals=(5, 30, 120))
def simulated_leave(customer_id: int, room_number: str, channel: str) -> str:
    """The simulator's caller who dialled in hangs up (idempotent: the leave event id is fixed per channel)."""
    from conferences.selectors import room_by_number
    from conferences.simulator import simulate_leave

    customer = Customer.objects.get(pk=customer_id)
    room = room_by_number(customer=customer, number=room_number)
    if room is None:
        return "room gone"
    simulate_leave(customer=customer, room=room, channel=channel)
    return "left"
