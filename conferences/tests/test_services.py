"""Rooms, availability, conference events and the dial plan."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from billing.models import Service
from billing.services import service_activate, subscriptions_close
from conferences import selectors, services
from conferences.models import ConferenceEvent, ConferenceRoom, Participant
from conferences.tests import factories
from panel.choices import Package
from pbx.choices import RouteKind
from pbx.tests import factories as pbx_factories

pytestmark = pytest.mark.django_db


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
    assert factories.room(factories.premium(customer), number=number).number == number


@pytest.mark.parametrize("number", ["7556", "*1", "*12345", "**12", "*12a"])
def test_other_internal_numbers_are_refused(customer, number):
    with pytest.raises(ValidationError) as refused:
        factories.room(factories.premium(customer), number=number)
    assert "number" in refused.value.message_dict
    assert not ConferenceRoom.objects.exists()


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", ""])
def test_the_pin_is_four_to_eight_digits(customer, pin):
    with pytest.raises(ValidationError) as refused:
        factories.room(factories.premium(customer), pin=pin)
    assert "pin" in refused.value.message_dict


def test_a_room_number_may_not_collide_with_the_dial_plan(customer):
    factories.premium(customer)
    factories.room(customer, number="*7556")
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            factories.room(customer, name="Druga", number="*7556")
        assert "teleconference room" in refused.value.message_dict["number"][0]
        with pytest.raises(ValidationError) as voicemail:
            factories.room(customer, name="Poczta", number="*98")
        assert "voicemail" in voicemail.value.message_dict["number"][0]
        assert ConferenceRoom.objects.count() == 1


def test_a_room_keeps_its_own_number_when_saved_again(customer):
    room = factories.room(factories.premium(customer))
    services.room_save(customer=customer, room=room, name="Nowa nazwa", number="*7556")
    assert ConferenceRoom.objects.get().name == "Nowa nazwa"


def test_the_same_internal_number_is_free_for_another_customer(customer, other_customer):
    factories.room(factories.premium(customer))
    factories.room(factories.premium(other_customer))
    assert ConferenceRoom.objects.count() == 2


def test_an_extension_cannot_take_a_room_number(customer):
    from pbx.services.dial_plan import dial_plan_collision

    factories.room(factories.premium(customer), name="Sala", number="*55")
    assert "Sala" in dial_plan_collision(customer=customer, codes=["*55"]).used_by


def test_the_participant_limit_is_fifteen_unless_an_operator_raises_it(customer):
    factories.premium(customer)
    with pytest.raises(ValidationError) as refused:
        factories.room(customer, max_participants=16)
    assert "max_participants" in refused.value.message_dict
    factories.conference_limit(customer, max_participants=40)
    assert factories.room(customer, max_participants=40).max_participants == 40


def test_the_public_number_is_routed_to_the_room_and_released_when_changed(customer):
    factories.premium(customer)
    first = pbx_factories.phone_number(customer, number="+48324000004")
    second = pbx_factories.phone_number(customer, number="+48324000005")
    room = factories.room(customer, phone_number=first)
    first.refresh_from_db()
    assert (first.route_kind, first.route_conference_id) == (RouteKind.CONFERENCE, room.pk)

    services.room_save(customer=customer, room=room, phone_number=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.route_kind == RouteKind.NONE and first.route_conference is None
    assert second.route_conference_id == room.pk


def test_another_customers_number_cannot_become_the_rooms_number(customer, other_customer):
    foreign = pbx_factories.phone_number(other_customer, number="+48324000009")
    with pytest.raises(ValidationError):
        factories.room(factories.premium(customer), phone_number=foreign)
    foreign.refresh_from_db()
    assert foreign.route_kind == RouteKind.NONE


def test_deleting_a_room_disconnects_its_number_and_is_refused_while_a_scheme_uses_it(customer):

    factories.premium(customer)
    number = pbx_factories.phone_number(customer, number="+48324000004")
    room = factories.room(customer, phone_number=number)
    scheme = pbx_factories.scheme(
        customer,
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

    room = factories.room(
        factories.premium(customer),
        greeting_kind="own",
        greeting_upload=SimpleUploadedFile("witamy.wav", make_wav(2.0), content_type="audio/wav"),
    )
    assert room.greeting_file.name.endswith(".mp3")
    assert room.greeting_file.storage.exists(room.greeting_file.name)

    with pytest.raises(ValidationError):
        factories.room(
            customer,
            name="Zła",
            number="*77",
            greeting_kind="own",
            greeting_upload=SimpleUploadedFile("x.mp3", b"not audio at all" * 100, content_type="audio/mpeg"),
        )
    assert ConferenceRoom.objects.count() == 1


# --- conference events --------------------------------------------------------------------------------------------


def test_join_and_leave_events_give_the_live_participants(customer):
    room = factories.room(factories.premium(customer))
    factories.join(customer, room, "a", "+48601000001")
    factories.join(customer, room, "b", "+48601000002")
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
    room = factories.room(factories.premium(customer))
    first = factories.join(customer, room, "a")
    again = factories.join(customer, room, "a")
    assert first.created and not again.created
    assert Participant.objects.count() == 1 and ConferenceEvent.objects.count() == 1


def test_an_event_for_another_customers_room_is_refused(customer, other_customer):
    room = factories.room(factories.premium(customer))
    with pytest.raises(ValidationError):
        factories.join(other_customer, room, "x")
    assert not Participant.objects.exists()


# --- the dial plan ------------------------------------------------------------------------------------------------


def test_a_queue_number_and_a_room_number_live_in_one_dial_plan(customer):
    pbx_factories.queue(customer, name="Sprzedaż", number="1000")
    room = factories.room(factories.premium(customer), number="*1000")
    assert room.number == "*1000"


def test_a_room_whose_number_was_bound_to_a_scheme_since_can_be_deleted(customer):
    """Binding the number to a scheme must forget the room, or the room could never be deleted (PROTECT)."""
    from pbx.services.schemes import scheme_bind_numbers

    number = pbx_factories.phone_number(customer)
    room = factories.room(factories.premium(customer), phone_number=number)
    scheme_bind_numbers(customer=customer, scheme=pbx_factories.scheme(customer), numbers=[number])
    number.refresh_from_db()
    assert (number.route_kind, number.route_conference) == (RouteKind.SCHEME, None)

    services.room_delete(customer=customer, room=room)
    assert not ConferenceRoom.objects.exists()
