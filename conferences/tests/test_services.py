"""Rooms, availability, conference events and the simulator's PIN and full-room rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from billing.models import Service
from billing.services import service_activate, subscriptions_close
from conferences import selectors, services
from conferences.choices import EventKind
from conferences.models import ConferenceEvent, ConferenceLimit, ConferenceRoom, Participant
from conferences.simulator import simulate_dial_in, simulate_end, simulate_leave
from panel.choices import Package
from pbx.choices import RouteKind
from pbx.models import PhoneNumber, Queue, SipAccount

pytestmark = pytest.mark.django_db


def _premium(customer):
    customer.package = Package.PREMIUM
    customer.save(update_fields=["package"])
    return customer


def _room(customer, **fields):
    defaults = {"name": "Zarząd", "pin": "4545", "number": "*7556", "max_participants": 15}
    return services.room_save(customer=customer, **{**defaults, **fields})


def _join(customer, room, channel, number="+48601000001", at=None):
    return services.conference_event_ingest(
        customer=customer,
        payload={
            "event_id": f"join-{channel}",
            "room": room.number,
            "kind": "join",
            "channel": channel,
            "number": number,
            "at": at or timezone.now(),
        },
    )


# --- availability -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "package, available",
    [
        (Package.MINI, False),
        (Package.START, False),
        (Package.BIZNES, False),
        (Package.PREMIUM, True),
        (Package.ELITE, True),
    ],
)
def test_teleconferences_are_included_only_in_premium_and_elite(customer, package, available):
    customer.package = package
    customer.save(update_fields=["package"])
    assert selectors.conferences_available(customer=customer) is available


def test_the_three_day_option_switches_itself_off_after_three_days(customer):
    bought = timezone.now()
    service = Service.objects.get(code="conference_3_days")
    service_activate(customer=customer, service=service, now=bought)

    assert selectors.conferences_available(customer=customer, at=bought + timedelta(days=2, hours=23))
    assert not selectors.conferences_available(customer=customer, at=bought + timedelta(days=3, seconds=1))
    assert selectors.availability(customer=customer).ends_at == bought + timedelta(days=3)
    subscriptions_close(now=bought + timedelta(days=3, seconds=1))
    assert not selectors.conferences_available(customer=customer, at=bought + timedelta(days=3, seconds=1))


def test_the_monthly_option_makes_rooms_available_in_biznes(customer):
    assert not selectors.conferences_available(customer=customer)
    service_activate(customer=customer, service=Service.objects.get(code="conference_month"))
    assert selectors.conferences_available(customer=customer)
    assert selectors.availability(customer=customer).ends_at is None


# --- rooms --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["*7556", "*12", "*1234"])
def test_internal_numbers_are_a_star_and_two_to_four_digits(customer, number):
    assert _room(_premium(customer), number=number).number == number


@pytest.mark.parametrize("number", ["7556", "*1", "*12345", "**12", "*12a"])
def test_other_internal_numbers_are_refused(customer, number):
    with pytest.raises(ValidationError) as refused:
        _room(_premium(customer), number=number)
    assert "number" in refused.value.message_dict
    assert not ConferenceRoom.objects.exists()


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", ""])
def test_the_pin_is_four_to_eight_digits(customer, pin):
    with pytest.raises(ValidationError) as refused:
        _room(_premium(customer), pin=pin)
    assert "pin" in refused.value.message_dict


def test_a_room_number_may_not_collide_with_the_dial_plan(customer):
    _premium(customer)
    _room(customer, number="*7556")
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            _room(customer, name="Druga", number="*7556")
        assert "teleconference room" in refused.value.message_dict["number"][0]
        with pytest.raises(ValidationError) as voicemail:
            _room(customer, name="Poczta", number="*98")
        assert "voicemail" in voicemail.value.message_dict["number"][0]
        assert ConferenceRoom.objects.count() == 1


def test_a_room_keeps_its_own_number_when_saved_again(customer):
    room = _room(_premium(customer))
    services.room_save(customer=customer, room=room, name="Nowa nazwa", number="*7556")
    assert ConferenceRoom.objects.get().name == "Nowa nazwa"


def test_the_same_internal_number_is_free_for_another_customer(customer, other_customer):
    _room(_premium(customer))
    _room(_premium(other_customer))
    assert ConferenceRoom.objects.count() == 2


def test_an_extension_cannot_take_a_room_number(customer):
    from pbx.services.dial_plan import dial_plan_collision

    _room(_premium(customer), name="Sala", number="*55")
    assert "Sala" in dial_plan_collision(customer=customer, codes=["*55"]).used_by


def test_the_participant_limit_is_fifteen_unless_an_operator_raises_it(customer):
    _premium(customer)
    with pytest.raises(ValidationError) as refused:
        _room(customer, max_participants=16)
    assert "max_participants" in refused.value.message_dict
    ConferenceLimit.objects.create(customer=customer, max_participants=40)
    assert _room(customer, max_participants=40).max_participants == 40


def test_the_public_number_is_routed_to_the_room_and_released_when_changed(customer):
    _premium(customer)
    first = PhoneNumber.objects.create(customer=customer, number="+48324000004")
    second = PhoneNumber.objects.create(customer=customer, number="+48324000005")
    room = _room(customer, phone_number=first)
    first.refresh_from_db()
    assert (first.route_kind, first.route_conference_id) == (RouteKind.CONFERENCE, room.pk)

    services.room_save(customer=customer, room=room, phone_number=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.route_kind == RouteKind.NONE and first.route_conference is None
    assert second.route_conference_id == room.pk


def test_another_customers_number_cannot_become_the_rooms_number(customer, other_customer):
    foreign = PhoneNumber.objects.create(customer=other_customer, number="+48324000009")
    with pytest.raises(ValidationError):
        _room(_premium(customer), phone_number=foreign)
    foreign.refresh_from_db()
    assert foreign.route_kind == RouteKind.NONE


def test_deleting_a_room_disconnects_its_number_and_is_refused_while_a_scheme_uses_it(customer):
    from pbx.models import Scheme

    _premium(customer)
    number = PhoneNumber.objects.create(customer=customer, number="+48324000004")
    room = _room(customer, phone_number=number)
    scheme = Scheme.objects.create(
        customer=customer,
        name="Infolinia",
        graph={"start": "n1", "nodes": {"n1": {"type": "conference", "label": "Sala", "config": {"room": room.pk}}}},
    )
    with pytest.raises(ValidationError) as refused:
        services.room_delete(customer=customer, room=room)
    assert "Infolinia" in refused.value.messages[0]

    scheme.delete()
    services.room_delete(customer=customer, room=room)
    number.refresh_from_db()
    assert number.route_kind == RouteKind.NONE
    assert not ConferenceRoom.objects.exists()


def test_an_own_announcement_is_checked_and_stored_as_mp3(customer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from pbx.tests.audio_factory import make_wav

    room = _room(
        _premium(customer),
        greeting_kind="own",
        greeting_upload=SimpleUploadedFile("witamy.wav", make_wav(2.0), content_type="audio/wav"),
    )
    assert room.greeting_file.name.endswith(".mp3")
    assert room.greeting_file.storage.exists(room.greeting_file.name)

    with pytest.raises(ValidationError):
        _room(
            customer,
            name="Zła",
            number="*77",
            greeting_kind="own",
            greeting_upload=SimpleUploadedFile("x.mp3", b"not audio at all" * 100, content_type="audio/mpeg"),
        )
    assert ConferenceRoom.objects.count() == 1


# --- conference events --------------------------------------------------------------------------------------------


def test_join_and_leave_events_give_the_live_participants(customer):
    room = _room(_premium(customer))
    _join(customer, room, "a", "+48601000001")
    _join(customer, room, "b", "+48601000002")
    assert [p.number for p in selectors.live_participants(customer=customer, room=room)] == [
        "+48601000001",
        "+48601000002",
    ]

    services.conference_event_ingest(
        customer=customer,
        payload={"event_id": "leave-a", "room": room.number, "kind": "leave", "channel": "a", "at": timezone.now()},
    )
    assert selectors.live_count(customer=customer, room=room) == 1
    services.conference_event_ingest(
        customer=customer, payload={"event_id": "end", "room": room.number, "kind": "end", "at": timezone.now()}
    )
    assert selectors.live_count(customer=customer, room=room) == 0


def test_the_same_event_twice_changes_nothing(customer):
    room = _room(_premium(customer))
    first = _join(customer, room, "a")
    again = _join(customer, room, "a")
    assert first.created and not again.created
    assert Participant.objects.count() == 1 and ConferenceEvent.objects.count() == 1


def test_an_event_for_another_customers_room_is_refused(customer, other_customer):
    room = _room(_premium(customer))
    with pytest.raises(ValidationError):
        _join(other_customer, room, "x")
    assert not Participant.objects.exists()


# --- the simulator and the routing engine -------------------------------------------------------------------------


def test_a_caller_with_the_right_pin_joins_by_the_public_number(customer):
    number = PhoneNumber.objects.create(customer=customer, number="+48324000004")
    room = _room(_premium(customer), phone_number=number)
    joined = simulate_dial_in(customer=customer, room=room, caller="+48601222333")
    assert joined.joined
    assert "did.to_conference" in joined.steps
    assert [p.number for p in selectors.live_participants(customer=customer, room=room)] == ["+48601222333"]

    simulate_leave(customer=customer, room=room, channel=joined.channel)
    assert selectors.live_count(customer=customer, room=room) == 0


def test_three_wrong_pins_disconnect_the_caller(customer):
    number = PhoneNumber.objects.create(customer=customer, number="+48324000004")
    room = _room(_premium(customer), phone_number=number)
    third_time_lucky = simulate_dial_in(customer=customer, room=room, caller="+48601000001", pins=["1", "2", "4545"])
    assert third_time_lucky.joined

    refused = simulate_dial_in(customer=customer, room=room, caller="+48601000002", pins=["1", "2", "3"])
    assert not refused.joined and refused.reason == "pin"
    assert refused.steps.count("conference.pin") == 3
    assert selectors.live_count(customer=customer, room=room) == 1
    event = ConferenceEvent.objects.get(kind=EventKind.REFUSED)
    assert (event.number, event.reason) == ("+48601000002", "pin")


def test_the_sixteenth_participant_is_refused_with_an_announcement(customer):
    SipAccount.objects.create(customer=customer, extension="10", name="Recepcja")
    room = _room(_premium(customer))
    for index in range(15):
        _join(customer, room, f"c{index}", f"+486010000{index:02d}")

    refused = simulate_dial_in(customer=customer, room=room, caller="10")
    assert not refused.joined and refused.reason == "full"
    assert refused.steps[-1] == "conference.full"
    assert selectors.live_count(customer=customer, room=room) == 15

    simulate_end(customer=customer, room=room)
    assert simulate_dial_in(customer=customer, room=room, caller="10").joined


def test_rooms_do_not_route_while_the_service_is_off(customer):
    SipAccount.objects.create(customer=customer, extension="10", name="Recepcja")
    room = _room(_premium(customer))
    customer.package = Package.BIZNES
    customer.save(update_fields=["package"])
    result = simulate_dial_in(customer=customer, room=room, caller="10")
    assert not result.joined
    assert "answered.conference" not in result.steps


def test_a_queue_number_and_a_room_number_live_in_one_dial_plan(customer):
    Queue.objects.create(customer=customer, name="Sprzedaż", number="1000")
    room = _room(_premium(customer), number="*1000")
    assert room.number == "*1000"
