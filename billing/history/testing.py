"""Call records for tests and benchmarks: made directly (bulk), not through ingestion or the simulator."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal

from billing.choices import CallDirection, Disposition, RatingStatus
from billing.models import CallRecord
from panel.money import gross_amount

_sequence = itertools.count(1)


def call_record(
    *,
    customer,
    started_at: datetime,
    talk_seconds: int = 60,
    wait_seconds: int = 5,
    direction: str = CallDirection.OUTBOUND,
    caller: str = "10",
    callee: str = "48223334455",
    extension: str = "10",
    queue_number: str = "",
    disposition: str = Disposition.ANSWERED,
    cost_net: Decimal | str | None = "0.05",
    call_id: str | None = None,
) -> CallRecord:
    """An unsaved call record with consistent times and, when priced, net and gross cost."""
    answered = disposition == Disposition.ANSWERED
    answered_at = started_at + timedelta(seconds=wait_seconds) if answered else None
    ended_at = (
        (answered_at + timedelta(seconds=talk_seconds)) if answered else started_at + timedelta(seconds=wait_seconds)
    )
    net = Decimal(cost_net) if cost_net is not None else None
    return CallRecord(
        customer=customer,
        call_id=call_id or f"test-{next(_sequence)}",
        started_at=started_at,
        answered_at=answered_at,
        ended_at=ended_at,
        direction=direction,
        caller=caller,
        callee=callee,
        extension=extension,
        queue_number=queue_number,
        disposition=disposition,
        talk_seconds=talk_seconds if answered else 0,
        cost_net=net,
        cost_gross=gross_amount(net) if net is not None else None,
        rating_status=RatingStatus.RATED if net is not None else RatingStatus.PENDING,
    )


def make_call(**kwargs) -> CallRecord:
    record = call_record(**kwargs)
    record.save()
    return record
