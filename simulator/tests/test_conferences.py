"""manage.py simulate_conference: callers join through the routing engine and leave by a scheduled job."""

import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rq import SimpleWorker

from conferences import selectors, services
from panel.choices import Package
from pbx.models import PhoneNumber

pytestmark = pytest.mark.django_db(transaction=True)


def test_callers_join_and_leave_after_their_stay(rq, customer):
    customer.package = Package.PREMIUM
    customer.save(update_fields=["package"])
    number = PhoneNumber.objects.create(customer=customer, number="+48324000004")
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


def test_an_unknown_room_is_a_clear_error(customer):
    with pytest.raises(CommandError, match="no room"):
        call_command("simulate_conference", customer="firmaabcde", room="*99")
