"""The entry point for call records: what a PBX (or the traffic simulator) calls when a call has ended.

`call_record_ingest` validates a record against the documented schema
(billing/serializers.py), stores it with its legs once per (customer,
call_id) and has it rated in the background. The HTTP API (billing/api.py)
is a thin layer over it, so a Python caller and an HTTP client get the same
rules and the same answers.

Idempotency: the same call id sent again, also by two requests at the same
moment, stores one record and charges once. The database's unique
constraint decides; the loser of a race rolls back its savepoint and gets
the winner's record.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from functools import partial
from typing import Any, TypeVar

from django.db import IntegrityError, OperationalError, connection, transaction

from billing.models import CallLeg, CallRecord
from billing.rating import is_billable, leg_seconds
from billing.serializers import CallRecordInSerializer
from panel.models import Customer

logger = logging.getLogger(__name__)
SQLITE_LOCK_RETRIES = 40
T = TypeVar("T")


def call_record_ingest(*, customer: Customer, payload: Mapping[str, Any]) -> tuple[CallRecord, bool]:
    """Store one call record of `customer` from the PBX's JSON object; returns (record, created).

    Raises rest_framework's `ValidationError` with messages per field when the
    payload does not follow the schema; nothing is stored then. A call id
    that is already stored returns the stored record unchanged (created False).
    """
    serializer = CallRecordInSerializer(data=payload)
    serializer.is_valid(raise_exception=True)
    with one_at_a_time_if_connection_is_shared():
        return retry_while_sqlite_is_busy(partial(_store, customer=customer, data=serializer.validated_data))


_SHARED_CONNECTION_LOCK = threading.Lock()


def one_at_a_time_if_connection_is_shared():
    """A test server on in-memory SQLite hands one connection to all its request threads; two transactions
    cannot interleave on one connection, so take turns there. Real servers never share a connection."""
    return _SHARED_CONNECTION_LOCK if connection.allow_thread_sharing else nullcontext()


def retry_while_sqlite_is_busy(work: Callable[[], T]) -> T:
    """Run `work`, again while SQLite says another connection is writing.

    SQLite (development, tests) reports a concurrent writer as an error
    instead of waiting for it. Outside a caller's transaction our own work
    was rolled back whole, so trying again is safe. PostgreSQL waits on the
    row lock instead and never gets here.
    """
    for attempt in range(SQLITE_LOCK_RETRIES):
        try:
            return work()
        except OperationalError as error:
            busy = connection.vendor == "sqlite" and not connection.in_atomic_block and "locked" in str(error)
            if not busy:
                raise
            time.sleep(0.005 * (attempt + 1))
    return work()


def _existing(customer: Customer, call_id: str) -> CallRecord | None:
    return CallRecord.objects.for_customer(customer).filter(call_id=call_id).first()


@transaction.atomic
def _store(*, customer: Customer, data: dict) -> tuple[CallRecord, bool]:
    existing = _existing(customer, data["call_id"])
    if existing is not None:
        return existing, False
    record = CallRecord(
        customer=customer,
        call_id=data["call_id"],
        started_at=data["start"],
        answered_at=data["answer"],
        ended_at=data["end"],
        direction=data["direction"],
        caller=data["caller"],
        callee=data["callee"],
        extension=data["extension"],
        queue_number=data["queue"],
        disposition=data["disposition"],
        talk_seconds=leg_seconds(data["answer"], data["end"]),
    )
    try:
        with transaction.atomic():  # a savepoint: a duplicate rolls back only this
            record.save(force_insert=True)
            CallLeg.objects.bulk_create(
                CallLeg(
                    call=record,
                    index=index,
                    kind=leg["kind"],
                    source=leg["from"],
                    destination=leg["to"],
                    started_at=leg["start"],
                    answered_at=leg["answer"],
                    ended_at=leg["end"],
                    billable=is_billable(leg["kind"]),
                )
                for index, leg in enumerate(data["legs"])
            )
    except IntegrityError:
        existing = _existing(customer, data["call_id"])
        if existing is None:
            raise
        logger.info("Call %s of customer %s arrived twice at once; the first is kept.", data["call_id"], customer.pk)
        return existing, False
    transaction.on_commit(partial(_enqueue_rating, customer.pk, record.pk), robust=True)
    return record, True


def _enqueue_rating(customer_id: int, record_id: int) -> None:
    """Rate the new record soon. If the queue is unreachable the record stays pending and the
    every-minute sweep rates it, so the PBX still gets its answer (the record is stored)."""
    from billing.jobs.rating import rate_call_records
    from panel.jobqueue import enqueue_now

    try:
        enqueue_now(rate_call_records, customer_id, [record_id])
    except Exception:
        logger.exception("Could not enqueue rating of call record %s; the sweep will rate it.", record_id)
