"""Rating a customer's whole backlog with pricing and writing overlapped (PostgreSQL, outside a transaction).

These tests commit for real (a second connection writes), so they need `transactional_db`.
"""

import threading

import pytest
from django.db import connection
from django.db.models import Count, Sum

from billing.choices import RatingStatus
from billing.ingestion import call_record_ingest
from billing.models import CallRecord, LedgerEntry
from billing.rating_service import call_records_rate
from billing.rating_service import calls as rating_calls
from billing.tests.rating_support import call_payload, callback, incoming, internal

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="pipelined rating runs on PostgreSQL"),
]


def backlog(customer) -> list[CallRecord]:
    """Twenty calls of every kind: outgoing of various lengths, free ones, a callback, one without a price."""
    payloads = [call_payload(callee=f"+48{500 + index}222333", talk=17 * index) for index in range(12)]
    payloads += [incoming(), incoming(forward_to="+48601222333"), internal(), call_payload(talk=None)]
    payloads += [callback(employee="+48601000111", target="+48221234567", employee_talk=90, target_talk=80)]
    payloads += [call_payload(callee="+861012345678", talk=61), call_payload(callee="0048221234567")]
    payloads.append(call_payload(callee="0800", talk=30))  # not a public number: kept and flagged
    return [call_record_ingest(customer=customer, payload=payload)[0] for payload in payloads]


def rating_lock_free_elsewhere(customer) -> bool:
    """Whether another connection (another worker) can take the customer's rating lock now."""
    result = []

    def try_lock():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", rating_calls._rating_lock_key(customer))
                result.append(cursor.fetchone()[0])
                cursor.execute("SELECT pg_advisory_unlock_all()")
        finally:
            connection.close()

    thread = threading.Thread(target=try_lock)
    thread.start()
    thread.join()
    return result == [True]


def outcome(customer) -> tuple[dict, dict]:
    records = {
        record.call_id: (record.rating_status, record.cost_net, record.cost_gross)
        for record in CallRecord.objects.for_customer(customer)
    }
    charges = {
        call_id: (count, total)
        for call_id, count, total in LedgerEntry.objects.for_customer(customer)
        .filter(call__isnull=False)
        .values_list("call__call_id")
        .annotate(count=Count("pk"), total=Sum("amount_net"))
        .values_list("call__call_id", "count", "total")
    }
    return records, charges


def test_pipelined_rating_writes_what_the_sequential_one_writes(customer, other_customer):
    backlog(customer)
    backlog(other_customer)
    assert not connection.in_atomic_block  # so the service chooses the pipeline by itself
    summary = call_records_rate(customer=customer, batch_size=3)
    records, charges = outcome(customer)
    assert summary.rated == 19 and summary.unratable == 1
    assert all(count == 1 for count, _total in charges.values())
    assert summary.ledger_net == sum(total for _count, total in charges.values()) < 0
    assert not CallRecord.objects.for_customer(other_customer).exclude(rating_status=RatingStatus.PENDING).exists()
    assert rating_lock_free_elsewhere(customer)  # the run let go of the customer's rating lock

    call_records_rate(customer=other_customer, batch_size=3, pipelined=False)
    sequential_records, sequential_charges = outcome(other_customer)
    assert sorted(records.values(), key=str) == sorted(sequential_records.values(), key=str)
    assert sorted(charges.values()) == sorted(sequential_charges.values())


def test_a_call_rated_meanwhile_by_another_job_is_neither_overwritten_nor_charged_again(customer, monkeypatch):
    calls = backlog(customer)
    price = rating_calls._price_records
    first, done = calls[1], []  # 17 s to a mobile: charged

    def price_then_someone_else_rates_the_first_call(context, records, **kwargs):
        priced = price(context, records, **kwargs)
        if first.pk in priced.record_ids and not done:  # another worker (the call's own job) gets there first
            done.append(first.pk)
            call_records_rate(customer=customer, call_ids=[first.pk])
            CallRecord.objects.filter(pk=first.pk).update(rating_error="rated by the other job")
        return priced

    monkeypatch.setattr(rating_calls, "_price_records", price_then_someone_else_rates_the_first_call)
    summary = call_records_rate(customer=customer, batch_size=4, pipelined=True)
    assert summary.rated + summary.unratable == len(calls) - 1
    first.refresh_from_db()
    assert first.rating_error == "rated by the other job"  # the pipeline did not write it again
    assert LedgerEntry.objects.for_customer(customer).filter(call=first).count() == 1


def test_a_failed_write_stops_the_run_and_the_rerun_charges_only_the_rest(customer, monkeypatch):
    backlog(customer)
    write, batches = rating_calls._PricedBatch.write, []

    def write_twice_then_fail(self, **kwargs):
        batches.append(self)
        if len(batches) == 3:
            raise RuntimeError("database went away")
        return write(self, **kwargs)

    monkeypatch.setattr(rating_calls._PricedBatch, "write", write_twice_then_fail)
    with pytest.raises(RuntimeError, match="database went away"):
        call_records_rate(customer=customer, batch_size=4, pipelined=True)
    assert rating_lock_free_elsewhere(customer)
    # Whole batches only: the two before the failed one, and perhaps the one the other writer had taken.
    done = CallRecord.objects.for_customer(customer).exclude(rating_status=RatingStatus.PENDING).count()
    assert done in (8, 12)
    monkeypatch.setattr(rating_calls._PricedBatch, "write", write)

    summary = call_records_rate(customer=customer, batch_size=4)
    assert summary.rated + summary.unratable == 20 - done
    _records, charges = outcome(customer)
    assert all(count == 1 for count, _total in charges.values())
    costs = CallRecord.objects.for_customer(customer).filter(rating_status=RatingStatus.RATED)
    assert sum(total for _count, total in charges.values()) == -costs.aggregate(total=Sum("cost_net"))["total"]
