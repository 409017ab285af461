"""The teleconference simulator: callers dial in through the routing engine (the PIN with three tries, the full
room), and manage.py simulate_conference, whose callers leave by a scheduled job."""

import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rq import SimpleWorker

from conferences import selectors, services
from conferences.choices import EventKind
from conferences.models import ConferenceEvent
from conferences.tests import factories
from panel.choices import Package
from pbx.tests import factories as pbx_factories
from simulator.conferences import simulate_dial_in, simulate_end, simulate_leave

pytestmark = pytest.mark.django_db


def test_a_caller_with_the_right_pin_joins_by_the_public_number(customer):
    number = pbx_factories.phone_number(customer, number="+48324000004")
    room = factories.room(factories.premium(customer), phone_number=number)
    joined = simulate_dial_in(customer=customer, room=room, caller="+48601222333")
    assert joined.joined
    assert "did.to_conference" in joined.steps
    assert [p.number for p in selectors.live_participants(customer=customer, room=room)] == ["+48601222333"]

    simulate_leave(customer=customer, room=room, channel=joined.channel)
    assert selectors.live_count(customer=customer, room=room) == 0


def test_three_wrong_pins_disconnect_the_caller(customer):
    number = pbx_factories.phone_number(customer, number="+48324000004")
    room = factories.room(factories.premium(customer), phone_number=number)
    third_time_lucky = simulate_dial_in(customer=customer, room=room, caller="+48601000001", pins=["1", "2", "4545"])
    assert third_time_lucky.joined

    refused = simulate_dial_in(customer=customer, room=room, caller="+48601000002", pins=["1", "2", "3"])
    assert not refused.joined and refused.reason == "pin"
    assert refused.steps.count("conference.pin") == 3
    assert selectors.live_count(customer=customer, room=room) == 1
    event = ConferenceEvent.objects.get(kind=EventKind.REFUSED)
    assert (event.number, event.reason) == ("+48601000002", "pin")


def test_the_sixteenth_participant_is_refused_with_an_announcement(customer):
    pbx_factories.sip_account(customer, extension="10", name="Recepcja")
    room = factories.room(factories.premium(customer))
    for index in range(15):
        factories.join(customer, room, f"c{index}", f"+486010000{index:02d}")

    refused = simulate_dial_in(customer=customer, room=room, caller="10")
    assert not refused.joined and refused.reason == "full"
    assert refused.steps[-1] == "conference.full"
    assert selectors.live_count(customer=customer, room=room) == 15

    simulate_end(customer=customer, room=room)
    assert simulate_dial_in(customer=customer, room=room, caller="10").joined


def test_rooms_do_not_route_while_the_service_is_off(customer):
    pbx_factories.sip_account(customer, extension="10", name="Recepcja")
    room = factories.room(factories.premium(customer))
    customer.package = Package.BIZNES
    customer.save(update_fields=["package"])
    result = simulate_dial_in(customer=customer, room=room, caller="10")
    assert not result.joined
    assert "answered.conference" not in result.steps


# --- manage.py simulate_conference --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_callers_join_and_leave_after_their_stay(rq, customer):
    customer.package = Package.PREMIUM
    customer.save(update_fields=["package"])
    number = pbx_factories.phone_number(customer, number="+48324000004")
    room = services.room_save(
        customer=customer, name="Zarząd", pin="4545", number="*7556", max_participants=15, phone_number=number
    )
    out = StringIO()
    call_command(
        "simulate_conference", customer="firmaabcde", room="*7556", callers=2, stay=1, wrong_pin=True, stdout=out
    )
    assert out.getvalue().count("joined") == 2 and "refused (pin)" in out.getvalue()
    assert selectors.live_count(customer=customer, room=room) == 2

    time.sleep(6)  # the shortest stay is 5 s
    queue = rq.get_queue("high")
    SimpleWorker([queue], connection=queue.connection).work(burst=True, with_scheduler=True)
    assert selectors.live_count(customer=customer, room=room) == 0


@pytest.mark.django_db(transaction=True)
def test_an_unknown_room_is_a_clear_error(customer):
    with pytest.raises(CommandError, match="no room"):
        call_command("simulate_conference", customer="firmaabcde", room="*99")
