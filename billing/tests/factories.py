"""Test builders of the billing app: call records and tariffs, with defaults a test may override.

Call records are made directly (in bulk where a test needs many), not through ingestion or the simulator.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from billing.choices import CallDirection, Disposition, RatingStatus
from billing.models import CallRecord, Tariff, TariffRate
from panel.money import gross_amount

_sequence = itertools.count(1)


def call_record(
    customer,
    *,
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
    save: bool = True,
) -> CallRecord:
    """A call record with consistent times and, when priced, net and gross cost; unsaved with `save=False` (bulk)."""
    answered = disposition == Disposition.ANSWERED
    answered_at = started_at + timedelta(seconds=wait_seconds) if answered else None
    ended_at = (
        (answered_at + timedelta(seconds=talk_seconds)) if answered else started_at + timedelta(seconds=wait_seconds)
    )
    net = Decimal(cost_net) if cost_net is not None else None
    record = CallRecord(
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
    if save:
        record.save()
    return record


def tariff(*, name: str | None = None, customer=None, rates: Iterable[tuple] = ()) -> Tariff:
    """A tariff with `rates`, each (prefix, destination, price per minute[, first, next billing period]).

    With a `customer` it becomes that customer's tariff (named after the customer unless `name` says otherwise).
    """
    made = Tariff.objects.create(name=name or (f"Cennik {customer.prefix}" if customer else "Cennik testowy"))
    for prefix, destination, price, *periods in rates:
        first, step = periods or (1, 1)
        tariff_rate(
            made,
            prefix=prefix,
            destination=destination,
            price_per_minute=price,
            first_increment=first,
            next_increment=step,
        )
    if customer is not None:
        customer.tariff = made
        customer.save()
    return made


def tariff_rate(tariff: Tariff, *, prefix: str, destination: str, price_per_minute, **fields) -> TariffRate:
    return TariffRate.objects.create(
        tariff=tariff, prefix=prefix, destination=destination, price_per_minute=Decimal(price_per_minute), **fields
    )
