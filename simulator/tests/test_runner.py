"""The traffic simulator end to end: `simulate_traffic` through the real ingestion entry points and database."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from mutagen.mp3 import MP3

from billing.models import CallLeg, CallRecord, Service, Subscription
from panel.models import ApiToken
from pbx.choices import ExternalPresentation, ForwardKind, RouteKind
from pbx.models import OutgoingSms, PhoneNumber, SipAccount, VoicemailMessage
from pbx.models.sms import SmsStatus
from pbx.selectors.routing import load_config
from pbx.tests import factories
from recordings.models import Recording
from recordings.storage import get_storage
from simulator.emit import HttpEmitter, Outcome
from simulator.runner import LIVE_WINDOW, simulate_traffic
from simulator.traffic import WARSAW, plan_day, play

pytestmark = pytest.mark.django_db

BILLABLE = {"outbound", "forward"}


@pytest.fixture(autouse=True)
def files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RECORDINGS_ROOT = tmp_path / "recordings"


@pytest.fixture
def now():
    """A Wednesday evening, so the simulated days are working days whatever day the tests run."""
    return datetime(2026, 3, 11, 20, 0, tzinfo=UTC)


def build_office(customer, numbers=("+48943401128", "+48223001122")) -> None:
    """Extensions 10 (forwarded to a mobile when not answered) and 11 (voicemail, e-mailed), a queue, two DIDs."""
    mobile = factories.external_number(
        customer,
        number="+48501222333",
        description="Komórka szefa",
        presentation=ExternalPresentation.PASSIVE,
        sms_on_forward=True,
    )
    office = factories.sip_account(
        customer,
        extension="10",
        name="Biuro",
        fwd_no_answer_kind=ForwardKind.EXTERNAL,
        fwd_no_answer_external=mobile,
    )
    sales = factories.sip_account(
        customer,
        extension="11",
        name="Sprzedaż",
        voicemail_enabled=True,
        voicemail_email="sprzedaz@firma.example",
    )
    queue = factories.queue(customer, name="Sprzedaż", number="1000")
    factories.queue_agent(queue, sip=sales, position=0)
    factories.queue_agent(queue, external=mobile, position=1)
    factories.phone_number(customer, number=numbers[0], route_kind=RouteKind.QUEUE, route_queue=queue)
    factories.phone_number(customer, number=numbers[1], route_kind=RouteKind.EXTENSION, route_sip=office)


def simulated_calls(customer, *, days, calls_per_day, seed, now):
    """The calls the runner emits for these arguments (the same plan and routing, replayed)."""
    config = load_config(customer=customer)
    last = now.astimezone(WARSAW).date()
    calls = [
        play(config, planned)
        for offset in range(days)
        for planned in plan_day(
            config,
            prefix=customer.prefix,
            seed=seed,
            day=last - timedelta(days=days - 1 - offset),
            calls_per_day=calls_per_day,
        )
    ]
    return [call for call in calls if call.end <= now]


def database_state(customer):
    records = CallRecord.objects.for_customer(customer)
    return {
        "records": sorted(records.values_list("call_id", "disposition", "started_at", "caller", "callee")),
        "legs": sorted(CallLeg.objects.for_customer(customer).values_list("call__call_id", "index", "kind")),
        "recordings": sorted(Recording.objects.for_customer(customer).values_list("call_id", "sha256")),
        "voicemails": sorted(VoicemailMessage.objects.for_customer(customer).values_list("message_id", "caller")),
        "sms": sorted(OutgoingSms.objects.for_customer(customer).values_list("key", "to", "text")),
    }


def test_a_run_stores_every_event_and_running_again_stores_nothing_new(
    customer, now, django_capture_on_commit_callbacks
):
    build_office(customer)
    with django_capture_on_commit_callbacks(execute=True):
        first = simulate_traffic(customer=customer, days=2, calls_per_day=16, seed=4, now=now)
    calls = simulated_calls(customer, days=2, calls_per_day=16, seed=4, now=now)
    assert first.call_count == len(calls) > 10
    assert first.records == {Outcome.CREATED: len(calls)}
    assert first.recordings[Outcome.CREATED] == sum(call.recording is not None for call in calls) > 0
    assert first.voicemails[Outcome.CREATED] == sum(call.voicemail is not None for call in calls)
    state = database_state(customer)
    assert len(state["records"]) == len(calls)
    assert {call_id for call_id, *_ in state["records"]} == {call.call_id for call in calls}
    mails = len(mail.outbox)
    assert mails == sum(bool(c.voicemail and c.voicemail.received_at >= now - LIVE_WINDOW) for c in calls)

    with django_capture_on_commit_callbacks(execute=True):
        again = simulate_traffic(customer=customer, days=2, calls_per_day=16, seed=4, now=now)
    assert again.records == {Outcome.EXISTING: len(calls)}
    assert again.recordings == {Outcome.EXISTING: first.recordings[Outcome.CREATED]}
    assert again.voicemails == ({Outcome.EXISTING: first.voicemails[Outcome.CREATED]} if first.voicemails else {})
    assert database_state(customer) == state, "nothing duplicated, nothing changed"
    assert len(mail.outbox) == mails, "no voicemail e-mailed twice"


def test_the_same_seed_gives_the_same_traffic_in_another_database_state(customer, other_customer, now):
    build_office(customer)
    simulate_traffic(customer=customer, days=1, calls_per_day=12, seed=9, now=now, with_audio=False)
    before = database_state(customer)["records"]
    CallRecord.objects.for_customer(customer).delete()
    simulate_traffic(customer=customer, days=1, calls_per_day=12, seed=9, now=now, with_audio=False)
    assert database_state(customer)["records"] == before
    other_seed = simulate_traffic(customer=customer, days=1, calls_per_day=12, seed=10, now=now, with_audio=False)
    assert other_seed.records[Outcome.CREATED] == other_seed.call_count, "another seed: other call ids"


def test_stored_records_and_legs_match_the_engines_outcome(customer, now):
    build_office(customer)
    simulate_traffic(customer=customer, days=3, calls_per_day=20, seed=2, now=now, with_audio=False)
    calls = simulated_calls(customer, days=3, calls_per_day=20, seed=2, now=now)
    records = {record.call_id: record for record in CallRecord.objects.for_customer(customer).prefetch_related("legs")}
    assert set(records) == {call.call_id for call in calls}
    outcomes = set()
    for call in calls:
        record = records[call.call_id]
        legs = list(record.legs.all())
        result = call.result
        outcomes.add((record.direction, record.disposition))
        expected = {"answered": "answered", "voicemail": "voicemail", "refused": "refused"}.get(result.outcome)
        assert record.disposition == (expected or record.disposition)
        if result.outcome == "hangup":
            assert record.disposition in ("no_answer", "busy", "failed")
        assert record.started_at == call.planned.start
        assert (record.answered_at is not None) == (result.outcome in ("answered", "voicemail"))
        if result.outcome == "answered":
            assert record.talk_seconds == call.talk_seconds
        if result.outcome == "refused":
            assert not any(leg.billable for leg in legs)
        forwards = [leg for leg in legs if leg.kind == "forward"]
        rung = [s for s in result.steps if s.code in ("ring.external_active", "ring.external_passive")]
        by_agent = result.final.code == "answered.agent" and result.answered_by.kind == "external"
        assert len(forwards) == len(rung) + by_agent
        assert all(leg.billable == (leg.kind in BILLABLE) for leg in legs)
        assert legs[0].kind == {"in": "inbound", "out": "outbound", "local": "internal"}[record.direction] or (
            record.disposition == "refused" and legs[0].kind == "internal"
        )
        if result.queue is not None:
            assert record.queue_number == "1000"
    assert {("in", "answered"), ("out", "answered"), ("local", "voicemail")} <= outcomes


def test_recordings_only_while_the_service_is_on_each_as_long_as_the_talk(other_customer, now):
    build_office(other_customer, numbers=("+48123005566", "+48123005567"))  # package Start: no recording included
    switched_on = now - timedelta(hours=20)
    Subscription.objects.create(
        customer=other_customer, service=Service.objects.get(code="recording"), started_at=switched_on
    )
    summary = simulate_traffic(customer=other_customer, days=3, calls_per_day=10, seed=5, now=now)
    calls = simulated_calls(other_customer, days=3, calls_per_day=10, seed=5, now=now)
    recorded = {call.call_id for call in calls if call.recording and call.planned.start >= switched_on}
    off = [call for call in calls if call.recording and call.planned.start < switched_on]
    assert recorded and off
    assert summary.recordings == {Outcome.CREATED: len(recorded), Outcome.SERVICE_OFF: len(off)}
    recordings = Recording.objects.for_customer(other_customer)
    assert {recording.call_id for recording in recordings} == recorded
    talk = dict(CallRecord.objects.for_customer(other_customer).values_list("call_id", "talk_seconds"))
    storage = get_storage()
    for recording in recordings:
        with storage.open(recording.path) as stored:
            length = MP3(io.BytesIO(stored.read())).info.length
        assert abs(length - talk[recording.call_id]) <= 0.5
        assert abs(float(recording.duration_seconds) - talk[recording.call_id]) <= 0.5


def test_voicemail_messages_are_left_with_real_audio_and_only_a_fresh_one_is_e_mailed(
    customer, now, django_capture_on_commit_callbacks
):
    build_office(customer)
    planned = simulated_calls(customer, days=3, calls_per_day=24, seed=8, now=now)
    just_after = max(call.end for call in planned if call.voicemail) + timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        summary = simulate_traffic(customer=customer, days=3, calls_per_day=24, seed=8, now=just_after)
    calls = [c for c in simulated_calls(customer, days=3, calls_per_day=24, seed=8, now=just_after) if c.voicemail]
    assert len(calls) > 1, "internal calls to 11 that nobody answers end in its voicemail"
    assert summary.voicemails == {Outcome.CREATED: len(calls)}
    messages = {message.message_id: message for message in VoicemailMessage.objects.for_customer(customer)}
    assert set(messages) == {call.call_id for call in calls}
    for call in calls:
        message = messages[call.call_id]
        assert message.sip_account.extension == "11"
        assert message.caller == call.voicemail.caller and message.received_at == call.voicemail.received_at
        with message.audio.open("rb") as stored:
            assert abs(MP3(io.BytesIO(stored.read())).info.length - call.voicemail.seconds) <= 0.5
    fresh = [call for call in calls if call.voicemail.received_at >= just_after - LIVE_WINDOW]
    assert 1 <= len(fresh) < len(calls), "the last message is news; the backdated ones are history"
    voicemail_mails = [m for m in mail.outbox if m.to == ["sprzedaz@firma.example"]]
    assert len(voicemail_mails) == len(fresh)
    assert all(m.attachments[0][2] == "audio/mpeg" for m in voicemail_mails)
    assert {messages[call.call_id].emailed_at is not None for call in calls if call not in fresh} == {False}


def test_a_forward_with_sms_on_forward_queues_the_callers_number_in_the_outbox(
    customer, now, django_capture_on_commit_callbacks
):
    build_office(customer)
    with django_capture_on_commit_callbacks(execute=True):
        summary = simulate_traffic(customer=customer, days=4, calls_per_day=20, seed=3, now=now, with_audio=False)
    calls = [call for call in simulated_calls(customer, days=4, calls_per_day=20, seed=3, now=now) if call.sms]
    assert calls and summary.sms == len(calls)
    outbox = OutgoingSms.objects.for_customer(customer)
    assert outbox.count() == len(calls)
    for call in calls:
        sms = outbox.get(key=f"{call.call_id}:sms:1")
        assert sms.to == "+48501222333" and sms.purpose == "forward"
        assert sms.text.startswith("Połączenie od ")
        assert sms.status == SmsStatus.RECORDED


def test_calls_that_have_not_ended_yet_are_left_for_a_later_run(customer, now):
    build_office(customer)
    morning = now.astimezone(WARSAW).replace(hour=9, minute=0, second=0).astimezone(now.tzinfo)
    early = simulate_traffic(customer=customer, days=1, calls_per_day=30, seed=6, now=morning, with_audio=False)
    assert early.not_yet > 0 and early.call_count + early.not_yet >= 30
    later = simulate_traffic(
        customer=customer, days=1, calls_per_day=30, seed=6, now=morning + timedelta(hours=14), with_audio=False
    )
    assert later.records[Outcome.EXISTING] == early.call_count
    assert later.records[Outcome.CREATED] == later.call_count - early.call_count > 0


@pytest.mark.smoke
def test_the_command_prints_a_summary(customer, now):
    build_office(customer)
    at = now.isoformat()
    out = io.StringIO()
    call_command(
        "simulate_traffic",
        *("--customer", "firmaabcde", "--days", "1", "--calls-per-day", "6", "--no-audio", "--now", at),
        stdout=out,
    )
    text = out.getvalue()
    assert "Simulated traffic of firmaabcde (seed 1), 2026-03-11 – 2026-03-11" in text
    assert "incoming" in text and "outgoing" in text and "internal" in text
    assert "Call records:" in text and "Recordings: none" in text

    before = CallRecord.objects.for_customer(customer).count()
    out = io.StringIO()  # as `make run` calls it from Python, a week: the six days before are new
    call_command("simulate_traffic", customer="firmaabcde", days=7, calls_per_day=4, no_audio=True, now=now, stdout=out)
    stored = CallRecord.objects.for_customer(customer).count()
    assert stored > before and f"Call records: {stored - before} new" in out.getvalue()
    week = simulate_traffic(customer=customer, days=7, calls_per_day=4, now=now, with_audio=False)
    out = io.StringIO()
    call_command("simulate_traffic", customer="firmaabcde", days=7, calls_per_day=4, no_audio=True, now=now, stdout=out)
    assert f"Call records: {week.call_count} already stored" in out.getvalue()
    assert CallRecord.objects.for_customer(customer).count() == stored


def test_with_once_a_customer_with_simulated_history_gets_nothing_new(customer, now):
    """`make run` generates the demo history once per database: a restart a day later replays nothing."""
    build_office(customer)
    first = simulate_traffic(customer=customer, days=2, calls_per_day=10, now=now, with_audio=False, once=True)
    assert first.records[Outcome.CREATED] == first.call_count > 0
    stored = CallRecord.objects.for_customer(customer).count()
    out = io.StringIO()
    call_command(
        "simulate_traffic",
        *("--customer", "firmaabcde", "--days", "30", "--calls-per-day", "10", "--once"),
        *("--now", (now + timedelta(days=1)).isoformat()),
        stdout=out,
    )
    assert f"History kept: {stored} simulated calls are stored already" in out.getvalue()
    assert CallRecord.objects.for_customer(customer).count() == stored
    other_seed = simulate_traffic(customer=customer, days=1, calls_per_day=10, seed=2, now=now, once=True)
    assert other_seed.records[Outcome.CREATED] > 0, "another seed is another history"


def test_after_the_routing_changed_a_stored_call_is_never_told_again(customer, now, django_capture_on_commit_callbacks):
    """A call answered by extension 10 must not also leave a message in 11's box when the DID now goes to 11."""
    build_office(customer)
    with django_capture_on_commit_callbacks(execute=True):
        simulate_traffic(customer=customer, days=3, calls_per_day=30, seed=7, now=now)
    state, mails = database_state(customer), len(mail.outbox)
    sales = SipAccount.objects.for_customer(customer).get(extension="11")
    PhoneNumber.objects.for_customer(customer).filter(number="+48223001122").update(route_sip=sales)
    rerouted = simulated_calls(customer, days=3, calls_per_day=30, seed=7, now=now)
    stored = dict(CallRecord.objects.for_customer(customer).values_list("call_id", "disposition"))
    changed = [call for call in rerouted if call.call_id in stored and stored[call.call_id] != call.disposition]
    assert any(call.voicemail for call in changed), "the new routing sends some stored calls to voicemail"

    with django_capture_on_commit_callbacks(execute=True):
        again = simulate_traffic(customer=customer, days=3, calls_per_day=30, seed=7, now=now)
    assert again.records[Outcome.DIFFERENT] >= len(changed)
    assert again.records[Outcome.CREATED] == 0
    assert database_state(customer) == state, "no message, recording or record contradicts the history"
    assert len(mail.outbox) == mails


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--customer", "nieznana", "--days", "1", "--calls-per-day", "5"], "No customer"),
        (["--customer", "firmaabcde", "--days", "0", "--calls-per-day", "5"], "--days"),
        (["--customer", "firmaabcde", "--days", "1", "--calls-per-day", "-1"], "--calls-per-day"),
        (["--customer", "firmaabcde", "--days", "1", "--calls-per-day", "5", "--via-http", "http://x"], "--token"),
        (
            [
                "--customer",
                "firmaabcde",
                "--days",
                "1",
                "--calls-per-day",
                "5",
                "--via-http",
                "ftp://x",
                "--token",
                "k",
            ],
            "http",
        ),
    ],
)
def test_the_command_refuses_bad_arguments(customer, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("simulate_traffic", *arguments)


@pytest.mark.django_db(transaction=True)
def test_background_audio_leaves_recordings_and_voicemail_to_the_worker(rq, customer, now):
    from rq import SimpleWorker

    build_office(customer)
    summary = simulate_traffic(customer=customer, days=2, calls_per_day=12, seed=4, now=now, background_audio=True)
    assert summary.recordings[Outcome.QUEUED] > 0 and not Recording.objects.exists()
    queue = rq.get_queue("low")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert Recording.objects.for_customer(customer).count() == summary.recordings[Outcome.QUEUED]
    assert VoicemailMessage.objects.for_customer(customer).count() == summary.voicemails[Outcome.QUEUED]


@pytest.mark.django_db(transaction=True)
def test_via_http_the_events_go_through_the_api_with_the_customers_key(live_server, customer, now):
    build_office(customer)
    key = ApiToken.issue(customer=customer, name="Symulator")[1]
    emitter = HttpEmitter(live_server.url, key)
    summary = simulate_traffic(customer=customer, days=1, calls_per_day=8, seed=11, now=now, emitter=emitter)
    assert summary.records[Outcome.CREATED] == summary.call_count > 0
    assert CallRecord.objects.for_customer(customer).count() == summary.call_count
    assert Recording.objects.for_customer(customer).count() == summary.recordings[Outcome.CREATED]
    assert VoicemailMessage.objects.for_customer(customer).count() == summary.voicemails[Outcome.CREATED]
    again = simulate_traffic(customer=customer, days=1, calls_per_day=8, seed=11, now=now, emitter=emitter)
    assert again.records == {Outcome.EXISTING: summary.call_count}

    wrong = simulate_traffic(
        customer=customer,
        days=1,
        calls_per_day=2,
        seed=12,
        now=now,
        emitter=HttpEmitter(live_server.url, "not-a-key"),
        with_audio=False,
    )
    assert wrong.records[Outcome.REFUSED] == wrong.call_count and "HTTP 401" in wrong.notes[0]


@pytest.mark.django_db(transaction=True)
def test_audio_events_sent_by_several_threads_are_all_stored_once(customer, now):
    build_office(customer)
    summary = simulate_traffic(customer=customer, days=2, calls_per_day=16, seed=13, now=now, workers=3)
    calls = simulated_calls(customer, days=2, calls_per_day=16, seed=13, now=now)
    recorded = {call.call_id for call in calls if call.recording}
    assert summary.recordings == {Outcome.CREATED: len(recorded)}
    assert set(Recording.objects.for_customer(customer).values_list("call_id", flat=True)) == recorded
    left = {call.call_id for call in calls if call.voicemail}
    assert set(VoicemailMessage.objects.for_customer(customer).values_list("message_id", flat=True)) == left
