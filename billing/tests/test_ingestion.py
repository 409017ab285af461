"""Call records through the ingestion entry point: the documented schema, stored once per call id."""

from datetime import timedelta

import pytest
from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import ValidationError

from billing.choices import RatingStatus
from billing.ingestion import call_record_ingest
from billing.models import CallLeg, CallRecord
from billing.tests.rating_support import START, call_payload, callback, incoming, internal, iso, leg

pytestmark = pytest.mark.django_db


def errors_of(customer, payload) -> dict:
    with pytest.raises(ValidationError) as caught:
        call_record_ingest(customer=customer, payload=payload)
    assert not CallRecord.objects.exists()  # nothing stored
    return caught.value.detail


@pytest.mark.smoke
def test_a_valid_call_is_stored_with_its_legs_and_waits_for_rating(customer):
    payload = call_payload(call_id="pbx1-0001", talk=132)
    record, created = call_record_ingest(customer=customer, payload=payload)
    assert created
    record.refresh_from_db()
    assert (record.customer, record.call_id, record.direction, record.caller, record.callee) == (
        customer,
        "pbx1-0001",
        "out",
        "10",
        "+48501222333",
    )
    assert record.started_at == parse_datetime(payload["start"])
    assert record.talk_seconds == 132
    assert record.rating_status == RatingStatus.PENDING and record.cost_net is None
    (only,) = record.legs.all()
    assert (only.index, only.kind, only.source, only.destination, only.billable) == (
        0,
        "outbound",
        "+48943401128",
        "+48501222333",
        True,
    )


def test_legs_are_flagged_billable_by_kind(customer):
    record, _ = call_record_ingest(customer=customer, payload=incoming(forward_to="+48501222333"))
    assert list(record.legs.values_list("kind", "billable")) == [("inbound", False), ("forward", True)]
    record, _ = call_record_ingest(customer=customer, payload=internal())
    assert list(record.legs.values_list("kind", "billable")) == [("internal", False)]
    payload = callback(employee="+48501222333", target="+48221234567", employee_talk=40, target_talk=30)
    record, _ = call_record_ingest(customer=customer, payload=payload)
    assert list(record.legs.values_list("billable", flat=True)) == [True, True]


@pytest.mark.smoke
def test_the_same_call_id_twice_is_stored_once(customer):
    payload = call_payload(call_id="pbx1-0002")
    first, created_first = call_record_ingest(customer=customer, payload=payload)
    changed = {**payload, "callee": "+48600000000"}  # a retry is never an edit
    second, created_second = call_record_ingest(customer=customer, payload=changed)
    assert (created_first, created_second) == (True, False)
    assert first.pk == second.pk
    assert CallRecord.objects.count() == 1 and CallLeg.objects.count() == 1
    assert CallRecord.objects.get().callee == "+48501222333"


def test_call_ids_are_per_customer(customer, other_customer):
    payload = call_payload(call_id="pbx1-0003")
    mine, _ = call_record_ingest(customer=customer, payload=payload)
    theirs, created = call_record_ingest(customer=other_customer, payload=payload)
    assert created and mine.pk != theirs.pk


def test_a_lost_race_returns_the_winners_record(customer, monkeypatch):
    """The other request inserted the call between our check and our insert: the unique constraint decides."""
    from billing import ingestion

    winner, _ = call_record_ingest(customer=customer, payload=call_payload(call_id="race-1"))
    real_existing = ingestion._existing
    checks = []

    def existing_missed_at_first(*args):
        checks.append(args)
        return None if len(checks) == 1 else real_existing(*args)

    monkeypatch.setattr(ingestion, "_existing", existing_missed_at_first)
    record, created = call_record_ingest(customer=customer, payload=call_payload(call_id="race-1"))
    assert (record.pk, created) == (winner.pk, False)
    assert len(checks) == 2 and CallRecord.objects.count() == 1


def test_stored_call_is_queued_for_rating_after_commit(customer, rq, django_capture_on_commit_callbacks):
    queue = rq.get_queue("default")
    with django_capture_on_commit_callbacks(execute=True):
        record, _ = call_record_ingest(customer=customer, payload=call_payload())
    (job,) = queue.jobs
    assert job.func_name == "billing.jobs.rating.rate_call_records"
    assert job.args == (customer.pk, [record.pk])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_record_ingest(customer=customer, payload=call_payload(call_id=record.call_id))
    assert not callbacks and queue.count == 1  # a repeat queues nothing


def test_an_unreachable_queue_does_not_lose_the_call(customer, settings, django_capture_on_commit_callbacks):
    from panel.embedded import free_port

    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    settings.RQ_QUEUES = {name: {**conf, "URL": url} for name, conf in settings.RQ_QUEUES.items()}
    with django_capture_on_commit_callbacks(execute=True):
        record, created = call_record_ingest(customer=customer, payload=call_payload())
    assert created and CallRecord.objects.get().rating_status == RatingStatus.PENDING  # the sweep will rate it


# Every rule of the schema: a valid variant above or here, and the invalid case with its message.


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"call_id": ""}, "call_id"),
        ({"call_id": "has space"}, "call_id"),
        ({"call_id": "x" * 65}, "call_id"),
        ({"direction": "sideways"}, "direction"),
        ({"disposition": "maybe"}, "disposition"),
        ({"caller": ""}, "caller"),
        ({"callee": "+48 501 222 333"}, "callee"),
        ({"callee": "x" * 33}, "callee"),
        ({"extension": "1a"}, "extension"),
        ({"extension": "1234567"}, "extension"),
        ({"queue": "kolejka"}, "queue"),
        ({"start": "yesterday"}, "start"),
        ({"start": None}, "start"),
        ({"legs": []}, "legs"),
        ({"legs": "none"}, "legs"),
    ],
)
def test_invalid_fields_are_refused_with_a_message_per_field(customer, change, field):
    errors = errors_of(customer, {**call_payload(), **change})
    assert list(errors) == [field]


@pytest.mark.parametrize("missing", ["call_id", "start", "end", "direction", "caller", "callee", "disposition", "legs"])
def test_required_fields(customer, missing):
    payload = call_payload()
    del payload[missing]
    assert list(errors_of(customer, payload)) == [missing]


def test_optional_fields_may_be_left_out(customer):
    payload = call_payload()
    for name in ("extension", "queue"):
        del payload[name]
    payload["legs"][0].pop("answer")
    payload["answer"] = None
    payload["disposition"] = "voicemail"
    record, created = call_record_ingest(customer=customer, payload=payload)
    assert created and record.extension == "" and record.talk_seconds == 0


def test_unknown_fields_are_ignored(customer):
    record, created = call_record_ingest(customer=customer, payload={**call_payload(), "pbx_version": "1.2"})
    assert created


def test_times_without_a_time_zone_are_refused(customer):
    payload = call_payload()
    payload["start"] = "2025-01-31T10:15:00"
    errors = errors_of(customer, payload)
    assert "2025-01-31T10:15:00+01:00" in str(errors["start"][0])


def test_utc_times_are_accepted(customer):
    payload = call_payload()
    payload["start"] = "2025-01-31T09:15:00Z"
    record, _ = call_record_ingest(customer=customer, payload=payload)
    assert record.started_at == START


def test_end_before_start_is_refused(customer):
    payload = call_payload()
    payload["end"] = iso(START - timedelta(seconds=1))
    payload["answer"] = None
    payload["disposition"] = "failed"
    assert "wcześniej niż początek" in str(errors_of(customer, payload)["end"][0])


def test_answer_outside_the_call_is_refused(customer):
    payload = call_payload()
    payload["answer"] = iso(START - timedelta(seconds=1))
    assert list(errors_of(customer, payload)) == ["answer"]


def test_a_call_lasts_at_most_24_hours(customer):
    payload = call_payload()
    payload["end"] = iso(START + timedelta(hours=24, seconds=1))
    assert list(errors_of(customer, payload)) == ["end"]
    payload["end"] = iso(START + timedelta(hours=24))
    assert call_record_ingest(customer=customer, payload=payload)[1]


def test_answered_call_needs_an_answer_time_and_unanswered_has_none(customer):
    payload = call_payload()
    payload["answer"] = None
    assert list(errors_of(customer, payload)) == ["answer"]
    payload = call_payload(talk=None)
    payload["disposition"] = "busy"
    payload["answer"] = payload["start"]
    assert list(errors_of(customer, payload)) == ["answer"]
    payload["answer"] = None
    assert call_record_ingest(customer=customer, payload=payload)[1]


def test_legs_are_checked_one_by_one(customer):
    good = leg("outbound", "+48943401128", "+48501222333", talk=10)
    bad_kind = {**good, "kind": "teleport"}
    bad_times = {**good, "end": iso(START - timedelta(seconds=1)), "answer": None}
    missing_to = {key: value for key, value in good.items() if key != "to"}
    naive = {**good, "start": "2025-01-31T10:15:00"}
    errors = errors_of(customer, call_payload(legs=[good, bad_kind, bad_times, missing_to, naive]))
    legs = errors["legs"]
    assert sorted(legs) == [1, 2, 3, 4]  # the valid first leg has no errors
    assert list(legs[1]) == ["kind"]
    assert list(legs[2]) == ["end"]
    assert list(legs[3]) == ["to"]
    assert list(legs[4]) == ["start"]


def test_at_most_20_legs(customer):
    legs = [leg("internal", "10", "11", talk=1)] * 21
    assert list(errors_of(customer, call_payload(legs=legs))) == ["legs"]
    assert call_record_ingest(customer=customer, payload=call_payload(legs=legs[:20]))[1]


def test_a_payload_that_is_not_an_object_is_refused(customer):
    assert "non_field_errors" in errors_of(customer, ["call_id"])
