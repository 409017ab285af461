"""Rating stored calls: costs on legs and records, one ledger charge per call, unratable calls kept and flagged."""

from decimal import Decimal

import pytest
from django.db.models import Sum
from rq import SimpleWorker

from billing.choices import LedgerKind, RatingStatus
from billing.ingestion import call_record_ingest
from billing.jobs.rating import rate_call_records, rate_pending_call_records
from billing.models import CallRecord, LedgerEntry, Tariff, TariffRate
from billing.rating_service import call_records_rate, call_records_rerate
from billing.rating_service import calls as rating_calls
from billing.selectors import balance
from billing.tests import factories
from billing.tests.rating_support import call_payload, callback, incoming, internal, leg
from panel.jobqueue import enqueue_now

pytestmark = pytest.mark.django_db


def ingest(customer, payload) -> CallRecord:
    return call_record_ingest(customer=customer, payload=payload)[0]


def call_charges(customer):
    return LedgerEntry.objects.for_customer(customer).filter(call__isnull=False)


@pytest.mark.smoke
def test_outgoing_call_is_priced_and_charged_once(customer):
    record = ingest(customer, call_payload(talk=132))  # 2 min 12 s to a mobile at 0.11/min, 1/1
    before = balance(customer=customer)
    summary = call_records_rate(customer=customer)
    assert (summary.rated, summary.unratable) == (1, 0)
    record.refresh_from_db()
    assert record.rating_status == RatingStatus.RATED and record.rated_at is not None
    assert (record.cost_net, record.cost_gross) == (Decimal("0.24"), Decimal("0.30"))  # 0.242 → 0.24; × 1.23
    (outbound,) = record.legs.all()
    assert (outbound.billed_seconds, outbound.destination_name, outbound.rate_per_minute, outbound.cost_net) == (
        132,
        "Polska Komórka",
        Decimal("0.1100"),
        Decimal("0.24"),
    )
    (charge,) = call_charges(customer)
    assert (charge.kind, charge.amount_net, charge.amount_gross, charge.call) == (
        LedgerKind.CALL,
        Decimal("-0.24"),
        Decimal("-0.30"),
        record,
    )
    assert "+48501222333" in charge.reason
    after = balance(customer=customer)
    assert before.gross - after.gross == Decimal("0.30")


def test_incoming_internal_and_unanswered_calls_are_free(customer):
    records = [
        ingest(customer, incoming()),
        ingest(customer, internal()),
        ingest(customer, call_payload(talk=None)),
    ]
    call_records_rate(customer=customer)
    for record in records:
        record.refresh_from_db()
        assert (record.rating_status, record.cost_net, record.cost_gross) == ("rated", Decimal("0"), Decimal("0"))
    assert not call_charges(customer).exists()


def test_a_forwarded_incoming_call_pays_for_the_forward_leg_only(customer):
    record = ingest(customer, incoming(forward_to="+49301234567", talk=60))  # Niemcy 0.09
    call_records_rate(customer=customer)
    record.refresh_from_db()
    assert record.cost_net == Decimal("0.09")
    inbound, forward = record.legs.all()
    assert (inbound.billable, inbound.cost_net, inbound.destination_name) == (False, None, "")
    assert (forward.destination_name, forward.cost_net) == ("Niemcy", Decimal("0.09"))


def test_both_legs_of_a_callback_are_charged(customer):
    payload = callback(employee="+48501222333", target="+48221234567", employee_talk=120, target_talk=60)
    record = ingest(customer, payload)
    call_records_rate(customer=customer)
    record.refresh_from_db()
    employee, target = record.legs.all()
    assert (employee.destination_name, employee.cost_net) == ("Polska Komórka", Decimal("0.22"))
    assert (target.destination_name, target.cost_net) == ("Polska Stacjonarne", Decimal("0.05"))
    assert record.cost_net == Decimal("0.27")
    assert call_charges(customer).get().amount_net == Decimal("-0.27")


def test_billing_periods_and_connection_fee_of_the_customers_tariff(customer):
    tariff = factories.tariff(
        customer=customer, rates=[("+48", "Polska", "0.06", 60, 60), ("+4850", "Komórki", "0.12", 30, 6)]
    )
    TariffRate.objects.filter(tariff=tariff, prefix="+48").update(connection_fee=Decimal("0.10"))
    landline = ingest(customer, call_payload(callee="+48221234567", talk=61))  # 120 s × 0.06 + 0.10
    mobile = ingest(customer, call_payload(callee="+48501222333", talk=31))  # 36 s × 0.12 = 0.072
    call_records_rate(customer=customer)
    landline.refresh_from_db()
    mobile.refresh_from_db()
    assert (landline.cost_net, landline.legs.get().billed_seconds) == (Decimal("0.22"), 120)
    assert (mobile.cost_net, mobile.legs.get().billed_seconds) == (Decimal("0.07"), 36)


def test_a_started_second_of_talk_counts_as_a_whole_one(customer):
    factories.tariff(customer=customer, rates=[("+48", "Polska", "0.60")])  # 1/1: a cent a second
    payloads = []
    for answer, end in [
        ("10:15:05.300000", "10:16:06.100000"),
        ("10:15:05", "10:15:07"),
        ("10:15:05", "10:15:05.000001"),
    ]:
        payload = call_payload(callee="+48221234567")
        payload["legs"][0].update(answer=f"2025-01-31T{answer}+01:00", end=f"2025-01-31T{end}+01:00")
        payload.update(answer=payload["legs"][0]["answer"], end=payload["legs"][0]["end"])
        payloads.append(payload)
    records = [ingest(customer, payload) for payload in payloads]
    call_records_rate(customer=customer)
    billed = [(record.legs.get().billed_seconds, CallRecord.objects.get(pk=record.pk).cost_net) for record in records]
    assert billed == [(61, Decimal("0.61")), (2, Decimal("0.02")), (1, Decimal("0.01"))]


def test_any_text_of_a_destination_name_is_written_as_it_is(customer):
    """The bulk writes pass text through COPY on PostgreSQL: tabs, line ends and backslashes must survive."""
    name = "Kierunek \\N z\ttabem\\\\ i\r\nnową linią"
    factories.tariff(customer=customer, rates=[("+48", name, "0.06")])
    record = ingest(customer, call_payload(callee="+48221234567", talk=60))
    call_records_rate(customer=customer)
    record.refresh_from_db()
    assert record.legs.get().destination_name == name
    assert record.cost_net == Decimal("0.06")


def test_ledger_sums_match_the_rated_calls(customer):
    payloads = [call_payload(talk=seconds, callee=number) for seconds in (1, 59, 61, 600) for number in
                ("+48501222333", "+48221234567", "+420212345678")]  # fmt: skip
    payloads += [incoming(forward_to="+48601222333", talk=95), internal()]
    for payload in payloads:
        ingest(customer, payload)
    before = balance(customer=customer)
    call_records_rate(customer=customer, batch_size=4)
    records = CallRecord.objects.for_customer(customer)
    assert set(records.values_list("rating_status", flat=True)) == {"rated"}
    total = records.aggregate(net=Sum("cost_net"), gross=Sum("cost_gross"))
    charges = call_charges(customer).aggregate(net=Sum("amount_net"), gross=Sum("amount_gross"))
    assert charges["net"] == -total["net"] and charges["gross"] == -total["gross"]
    # 1 s at most 0.11/min rounds to 0.00: those three calls are rated but no charge is written.
    assert call_charges(customer).count() == records.filter(cost_net__gt=0).count() == 10
    after = balance(customer=customer)
    assert before.net - after.net == total["net"]


def test_rating_twice_charges_once(customer):
    record = ingest(customer, call_payload())
    call_records_rate(customer=customer, call_ids=[record.pk])
    again = call_records_rate(customer=customer, call_ids=[record.pk])
    assert again.rated == 0
    CallRecord.objects.filter(pk=record.pk).update(rating_status=RatingStatus.PENDING)  # as if a retry raced
    call_records_rate(customer=customer)
    assert call_charges(customer).count() == 1


def test_only_the_customers_own_records_are_rated(customer, other_customer):
    mine = ingest(customer, call_payload())
    theirs = ingest(other_customer, call_payload())
    call_records_rate(customer=customer, call_ids=[mine.pk, theirs.pk])
    assert CallRecord.objects.get(pk=theirs.pk).rating_status == RatingStatus.PENDING
    assert not call_charges(other_customer).exists()


def test_a_call_without_a_rate_is_kept_flagged_and_not_charged(customer):
    factories.tariff(customer=customer, rates=[("+48", "Polska", "0.05")])
    record = ingest(customer, call_payload(callee="+861012345678"))
    priced = ingest(customer, call_payload(callee="+48221234567", talk=60))
    summary = call_records_rate(customer=customer)
    assert (summary.rated, summary.unratable) == (1, 1)
    record.refresh_from_db()
    assert record.rating_status == RatingStatus.UNRATABLE
    assert record.cost_net is None and record.cost_gross is None  # never silently zero
    assert "+861012345678" in record.rating_error and "Cennik firmaabcde" in record.rating_error
    assert call_charges(customer).get().call_id == priced.pk


def test_a_short_number_cannot_be_priced(customer):
    record = ingest(customer, call_payload(callee="19115", legs=[leg("outbound", "10", "19115", talk=30)]))
    call_records_rate(customer=customer)
    record.refresh_from_db()
    assert record.rating_status == RatingStatus.UNRATABLE and "19115" in record.rating_error


def test_no_tariff_at_all_flags_calls(customer):
    Tariff.objects.update(is_default=False)
    record = ingest(customer, call_payload())
    call_records_rate(customer=customer)
    record.refresh_from_db()
    assert record.rating_status == RatingStatus.UNRATABLE and record.rating_error


def test_rerating_after_a_tariff_fix_charges_and_then_corrects_by_the_difference(customer, operator):
    tariff = factories.tariff(customer=customer, rates=[("+48", "Polska", "0.05")])
    record = ingest(customer, call_payload(callee="+420212345678", talk=120))
    call_records_rate(customer=customer)
    assert CallRecord.objects.get(pk=record.pk).rating_status == RatingStatus.UNRATABLE

    factories.tariff_rate(tariff, prefix="+420", destination="Czechy", price_per_minute="0.09")
    assert call_records_rate(customer=customer).rated == 0  # the job leaves flagged calls to the operator
    summary = call_records_rerate(customer=customer, call_ids=[record.pk], user=operator)
    assert (summary.rated, summary.ledger_entries, summary.ledger_net) == (1, 1, Decimal("-0.18"))
    record.refresh_from_db()
    assert (record.rating_status, record.rating_error, record.cost_net) == ("rated", "", Decimal("0.18"))

    TariffRate.objects.filter(tariff=tariff, prefix="+420").update(price_per_minute=Decimal("0.06"))
    summary = call_records_rerate(customer=customer, call_ids=[record.pk], user=operator)
    assert summary.ledger_net == Decimal("0.06")  # 0.18 charged, now 0.12: 0.06 back
    record.refresh_from_db()
    assert record.cost_net == Decimal("0.12") and record.legs.get().rate_per_minute == Decimal("0.0600")

    assert call_records_rerate(customer=customer, call_ids=[record.pk]).ledger_entries == 0  # nothing changed
    entries = call_charges(customer).order_by("pk")
    assert [(entry.kind, entry.amount_net) for entry in entries] == [
        (LedgerKind.CALL, Decimal("-0.18")),
        (LedgerKind.ADJUSTMENT, Decimal("0.06")),
    ]
    assert entries[1].created_by == operator
    assert sum(entry.amount_net for entry in entries) == -record.cost_net


def test_rerating_a_rated_call_whose_rate_is_gone_keeps_what_was_charged(customer):
    tariff = factories.tariff(customer=customer, rates=[("+48", "Polska", "0.05")])
    record = ingest(customer, call_payload(callee="+48221234567", talk=60))
    call_records_rate(customer=customer)
    TariffRate.objects.filter(tariff=tariff).delete()
    summary = call_records_rerate(customer=customer, call_ids=[record.pk])
    assert (summary.unratable, summary.ledger_entries) == (1, 0)
    record.refresh_from_db()
    assert record.rating_status == RatingStatus.UNRATABLE and record.cost_net == Decimal("0.05")
    assert call_charges(customer).get().amount_net == Decimal("-0.05")


def test_rating_writes_in_bulk_not_per_record(customer, django_assert_max_num_queries):
    for index in range(60):
        ingest(customer, call_payload(callee=f"+4850{index:07d}"))
    with django_assert_max_num_queries(13):  # lock, tariff, records, legs, rates, updates, ledger: not 60 × anything
        summary = call_records_rate(customer=customer)
    assert summary.rated == 60


def test_large_batches_read_the_whole_tariff_once_and_agree_with_small_ones(customer, monkeypatch):
    for index in range(30):
        ingest(customer, call_payload(callee=f"+48{500 + index}222333", talk=7 * index))
    ingest(customer, call_payload(callee="+861012345678", talk=61))
    monkeypatch.setattr(rating_calls, "CANDIDATE_LOOKUP_LIMIT", 0)
    call_records_rate(customer=customer, batch_size=7)
    by_full_table = dict(CallRecord.objects.values_list("pk", "cost_net"))
    CallRecord.objects.update(rating_status=RatingStatus.PENDING, cost_net=None)
    LedgerEntry.objects.filter(call__isnull=False).update(idempotency_key=None)  # pretend never charged
    monkeypatch.setattr(rating_calls, "CANDIDATE_LOOKUP_LIMIT", 200)
    call_records_rate(customer=customer)
    assert dict(CallRecord.objects.values_list("pk", "cost_net")) == by_full_table
    assert by_full_table[CallRecord.objects.get(callee="+861012345678").pk] == Decimal("2.02")  # Reszta świata, 61 s


def test_the_job_through_a_real_worker_twice_charges_once(customer, rq):
    record = ingest(customer, call_payload())
    queue = rq.get_queue("default")
    enqueue_now(rate_call_records, customer.pk, [record.pk])
    enqueue_now(rate_call_records, customer.pk, [record.pk])
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert len(queue.finished_job_registry) == 2 and not len(queue.failed_job_registry)
    assert CallRecord.objects.get(pk=record.pk).rating_status == RatingStatus.RATED
    assert call_charges(customer).count() == 1


def test_the_sweep_queues_one_job_per_customer_with_old_pending_records(customer, other_customer, rq):
    from datetime import timedelta

    from django.utils import timezone

    ingest(customer, call_payload())
    ingest(customer, call_payload())
    ingest(other_customer, call_payload())
    fresh = ingest(other_customer, call_payload())
    CallRecord.objects.exclude(pk=fresh.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    CallRecord.objects.filter(pk=fresh.pk).update(customer=customer)
    CallRecord.objects.filter(customer=other_customer).update(rating_status=RatingStatus.RATED)

    assert rate_pending_call_records() == 1
    assert rate_pending_call_records() == 0  # one is already waiting
    queue = rq.get_queue("default")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert not CallRecord.objects.filter(customer=customer, rating_status=RatingStatus.PENDING).exists()
    assert call_charges(customer).count() == 3


def test_call_charges_follow_the_ledgers_own_vat_rules(customer):
    """Charges are written in bulk without model instances; they must equal what LedgerEntry.build makes."""
    customer.vat_rate = Decimal("8.00")
    customer.save()
    records = [ingest(customer, call_payload(callee="+48501222333", talk=seconds)) for seconds in (30, 75, 613, 3599)]
    call_records_rate(customer=customer)
    for record in records:
        record.refresh_from_db()
        charge = LedgerEntry.objects.get(call=record)
        expected = LedgerEntry.build(
            customer=customer, kind=LedgerKind.CALL, amount_net=-record.cost_net, reason=charge.reason
        )
        assert (charge.amount_net, charge.vat_rate, charge.amount_vat, charge.amount_gross) == (
            expected.amount_net,
            Decimal("8.00"),
            expected.amount_vat,
            expected.amount_gross,
        )
        assert charge.amount_gross == -record.cost_gross
        assert charge.idempotency_key == f"call:{record.pk}"
        assert charge.reason == "Połączenie 10 → +48501222333, 2025-01-31 10:15"


def test_a_charged_call_cannot_be_deleted_and_a_deleted_customer_takes_its_ledger_along(customer, other_customer):
    """The ledger's links to the call and the customer carry no database constraint (see LedgerEntry); Django's
    on_delete keeps what the constraints would."""
    from django.db.models import ProtectedError

    record = ingest(customer, call_payload())
    call_records_rate(customer=customer)
    with pytest.raises(ProtectedError):
        record.delete()
    assert CallRecord.objects.filter(pk=record.pk).exists()
    kept = LedgerEntry.objects.for_customer(other_customer).count()
    customer_id = customer.pk
    LedgerEntry.objects.for_customer(customer).filter(call__isnull=False).delete()
    CallRecord.objects.for_customer(customer).delete()
    customer.delete()
    assert not LedgerEntry.objects.filter(customer_id=customer_id).exists()
    assert LedgerEntry.objects.for_customer(other_customer).count() == kept
