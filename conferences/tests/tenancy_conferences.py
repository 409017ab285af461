"""Conference URLs that take an object id, for tests/test_tenancy.py."""

from conferences.models import ConferenceRoom
from conferences.tests import factories


def _room(customer):
    # On Premium teleconferences are included, so the owner's page answers 200.
    room = factories.room(factories.premium(customer), name="Tenancy", number=f"*7{customer.pk:02d}")
    return {"pk": room.pk}


def _dial_out(customer):
    room = ConferenceRoom.objects.get(pk=_room(customer)["pk"])
    dial_out = factories.dial_out(room)
    return {"pk": dial_out.pk}


OBJECT_URLS = {
    "conferences:room": _room,
    "conferences:room_edit": _room,
    "conferences:room_delete": _room,
    "conferences:participant_add": _room,
    "conferences:dial_out_cancel": _dial_out,
}
