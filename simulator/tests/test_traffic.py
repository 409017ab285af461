"""The simulator's plain-Python half: planned calls, their routing and the events they produce. No database."""

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from mutagen.mp3 import MP3

from billing.serializers import CallRecordInSerializer
from pbx.audio import probe
from pbx.routing import DialledCall, Extension, ExternalNumber, Forward, IncomingCall, PhoneNumber, Queue, QueueAgent
from pbx.routing.testing import make_config
from simulator import audio
from simulator.traffic import (
    INCOMING,
    INTERNAL,
    OUTGOING,
    WARSAW,
    Parties,
    PlannedCall,
    calls_on,
    disposition_of,
    plan_day,
    play,
)

MONDAY = date(2026, 3, 9)
SATURDAY = date(2026, 3, 14)
MOBILE = ExternalNumber(7, "+48501222333", "Komórka szefa", sms_on_forward=True)


def office(**options):
    """Two extensions (11 with voicemail; 10 forwarded to a mobile when not answered), a queue, two numbers."""
    return make_config(
        extensions=[
            Extension(1, "10", "Biuro", forward_no_answer=Forward("external", external=7), caller_id="+48943401128"),
            Extension(2, "11", "Sprzedaż", voicemail_enabled=True),
        ],
        external_numbers=[MOBILE],
        queues=[Queue(3, "Sprzedaż", "1000", agents=(QueueAgent("extension", 2), QueueAgent("external", 7)))],
        phone_numbers=[
            PhoneNumber(4, "+48943401128", route_kind="queue", route_target=3),
            PhoneNumber(5, "+48223001122", route_kind="extension", route_target=1),
        ],
        **options,
    )


def many_calls(config, days=(MONDAY, MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)), per_day=60):
    return [
        play(config, planned)
        for day in days
        for planned in plan_day(config, prefix="firmaabcde", seed=3, day=day, calls_per_day=per_day)
    ]


@pytest.mark.smoke
def test_the_same_seed_gives_the_same_calls_and_another_seed_other_calls():
    config = office()
    first = plan_day(config, prefix="firmaabcde", seed=1, day=MONDAY, calls_per_day=40)
    again = plan_day(config, prefix="firmaabcde", seed=1, day=MONDAY, calls_per_day=40)
    other = plan_day(config, prefix="firmaabcde", seed=2, day=MONDAY, calls_per_day=40)
    assert first == again
    assert [call.call_id for call in first] != [call.call_id for call in other]
    assert [(c.kind, c.start, c.call) for c in first] != [(c.kind, c.start, c.call) for c in other]
    assert [play(config, call).record for call in first] == [play(config, call).record for call in again]


def test_call_ids_come_from_customer_seed_day_and_index():
    calls = plan_day(office(), prefix="firmaabcde", seed=7, day=MONDAY, calls_per_day=12)
    assert sorted(call.call_id for call in calls) == [f"sim-firmaabcde-s7-20260309-{i:04d}" for i in range(12)]
    assert all(call.start.astimezone(WARSAW).date() == MONDAY for call in calls)
    assert [call.start for call in calls] == sorted(call.start for call in calls)


def test_a_working_day_has_the_calls_asked_for_and_a_weekend_or_holiday_a_quarter():
    config = office()
    assert calls_on(MONDAY, 40, config) == 40
    assert calls_on(SATURDAY, 40, config) == 10
    assert calls_on(date(2026, 5, 1), 40, config) == 10  # Święto Pracy, a Friday
    assert calls_on(SATURDAY, 2, config) == 1
    assert calls_on(MONDAY, 0, config) == 0


def test_calls_are_weighted_to_working_hours_and_mix_all_directions():
    calls = [
        planned
        for offset in range(5)
        for planned in plan_day(office(), prefix="f", seed=1, day=MONDAY + timedelta(days=offset), calls_per_day=80)
    ]
    hours = [call.start.astimezone(WARSAW).hour for call in calls]
    at_work = sum(8 <= hour < 18 for hour in hours)
    assert at_work / len(calls) > 0.8
    kinds = {call.kind for call in calls}
    assert kinds == {INCOMING, OUTGOING, INTERNAL}
    incoming = [call for call in calls if call.kind == INCOMING]
    assert {call.call.did for call in incoming} == {"+48943401128", "+48223001122"}
    callers = {call.call.caller[:3] for call in incoming if call.call.caller}
    assert "+48" in callers and callers - {"+48"}, "Polish and foreign callers"
    dialled = [call.call.dialled for call in calls if call.kind == OUTGOING]
    assert any(number.startswith("00") for number in dialled), "some calls abroad"
    assert any(len(number) == 9 and number[0] in "5678" for number in dialled), "mobiles"
    assert any(len(number) == 9 and number[0] in "1234" for number in dialled), "landlines"


def test_nothing_is_planned_without_numbers_or_extensions():
    assert plan_day(make_config(), prefix="f", seed=1, day=MONDAY, calls_per_day=40) == []
    only_one_extension = make_config(extensions=[Extension(1, "10")])
    assert {call.kind for call in plan_day(only_one_extension, prefix="f", seed=1, day=MONDAY, calls_per_day=40)} == {
        OUTGOING
    }


def test_every_record_follows_the_ingestion_schema():
    for call in many_calls(office()):
        serializer = CallRecordInSerializer(data=call.record)
        assert serializer.is_valid(), (call.record, serializer.errors)


def test_dispositions_and_legs_match_the_engines_outcome():
    calls = many_calls(office())
    seen = set()
    for call in calls:
        result, record = call.result, call.record
        legs = record["legs"]
        assert record["disposition"] == disposition_of(result)
        seen.add((call.planned.kind, record["disposition"]))
        if result.outcome == "answered":
            assert record["disposition"] == "answered" and record["answer"] is not None
            assert call.talk_seconds >= 3
            end = datetime.fromisoformat(record["end"])
            assert (end - datetime.fromisoformat(record["answer"])).total_seconds() == call.talk_seconds
        elif result.outcome == "voicemail":
            assert record["disposition"] == "voicemail"
            assert call.voicemail.extension == result.voicemail_box == "11"
            assert call.voicemail.message_id == call.call_id
        elif result.outcome == "refused":
            assert record["disposition"] == "refused" and record["answer"] is None
            assert [leg["kind"] for leg in legs] == ["internal"], "a refused call never leaves the PBX"
        else:
            assert record["disposition"] in ("no_answer", "busy", "failed") and record["answer"] is None
        first = legs[0]["kind"]
        if call.planned.kind == INCOMING:
            assert (first, record["direction"]) == ("inbound", "in")
            assert record["callee"] == call.planned.call.did
        elif call.planned.kind == OUTGOING:
            assert record["direction"] == "out"
            assert first == ("internal" if result.outcome == "refused" else "outbound")
            assert record["callee"].startswith("+")
        else:
            assert (first, record["direction"]) == ("internal", "local")
        rung_mobile = [s for s in result.steps if s.code in ("ring.external_active", "ring.external_passive")]
        agent_mobile = result.answered_by is not None and result.final.code == "answered.agent"
        agent_mobile = agent_mobile and result.answered_by.kind == "external"
        forwards = [leg for leg in legs[1:] if leg["kind"] == "forward"]
        assert len(forwards) == len(rung_mobile) + agent_mobile
        assert all(leg["to"] == MOBILE.number for leg in forwards)
        if result.final.code in ("answered.external",) or agent_mobile:
            assert forwards[-1]["answer"] == record["answer"] and forwards[-1]["end"] == record["end"]
        for leg in legs:
            assert leg["start"] <= leg["end"]
    assert {("incoming", "answered"), ("outgoing", "answered"), ("internal", "voicemail")} <= seen
    assert ("incoming", "no_answer") in seen


def test_a_forward_to_an_external_number_with_sms_on_forward_sends_the_callers_number():
    calls = [call for call in many_calls(office()) if call.sms]
    assert calls, "ext. 10 forwards unanswered calls to the mobile, which wants an SMS"
    for call in calls:
        (sms,) = call.sms
        assert sms.to == MOBILE.number
        assert sms.key == f"{call.call_id}:sms:1"
        if call.planned.kind == INCOMING:
            assert sms.caller == call.planned.call.caller and sms.sender == call.planned.call.did


def test_a_call_abroad_above_the_max_rate_is_refused_with_no_billable_leg():
    config = office()
    at = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
    planned = PlannedCall("sim-x-s1-20260309-0001", OUTGOING, at, DialledCall("10", "008613800138000", at), "x")
    call = play(config, planned)
    assert call.disposition == "refused" and call.result.final.code == "out.rate_too_high"
    assert [leg["kind"] for leg in call.record["legs"]] == ["internal"]
    assert call.record["callee"] == "+8613800138000"
    assert call.recording is None


def test_only_answered_calls_from_and_to_outside_are_recorded():
    for call in many_calls(office()):
        expected = call.disposition == "answered" and call.planned.kind in (INCOMING, OUTGOING)
        assert (call.recording is not None) == expected
        if expected:
            assert call.recording.seconds == call.talk_seconds
            assert call.recording.direction == call.record["direction"]


def test_a_withheld_caller_is_reported_as_anonymous():
    config = office()
    at = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
    planned = PlannedCall("sim-x-s1-20260309-0002", INCOMING, at, IncomingCall("+48223001122", at, ""), "y")
    call = play(config, planned)
    assert call.record["caller"] == "anonymous" and call.record["legs"][0]["from"] == "anonymous"


def test_parties_know_who_can_call():
    parties = Parties.of(office())
    assert parties.extensions == ("10", "11") and parties.queues == ("1000",)
    assert parties.externals == ("+48501222333",)
    assert parties.kinds()[0] == (INCOMING, OUTGOING, INTERNAL)


@pytest.mark.smoke
@pytest.mark.parametrize("seconds", [1, 3, 7, 59, 95, 600])
def test_the_mp3_plays_as_long_as_asked(seconds, tmp_path: Path):
    content = audio.tone_mp3(seconds, variant=seconds)
    assert abs(MP3(io.BytesIO(content)).info.length - seconds) <= 0.05
    assert audio.mp3_seconds(seconds) == pytest.approx(MP3(io.BytesIO(content)).info.length, abs=0.001)
    assert len(content) < 1100 * seconds + 200, "about 1 kB per second"
    upload = tmp_path / "upload"  # a neutral name: the format is recognised from the content
    upload.write_bytes(content)
    assert probe(upload).format == "mp3"


def test_the_same_call_always_gets_the_same_audio():
    variant = audio.variant_of("sim-firmaabcde-s1-20260309-0001")
    assert audio.tone_mp3(42, variant=variant) == audio.tone_mp3(42, variant=variant)
    assert audio.tone_mp3(42, variant=0) != audio.tone_mp3(42, variant=1)
