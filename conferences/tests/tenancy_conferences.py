"""Conference URLs that take an object id, for tests/test_tenancy.py."""

from datetime import timedelta

from django.utils import timezone

from conferences.models import ConferenceRoom, DialOut
from panel.choices import Package


def _room(customer):
    customer.package = Package.PREMIUM  # teleconferences included, so the owner's page answers 200
    customer.save(update_fields=["package"])
    room = ConferenceRoom.objects.create(customer=customer, name="Tenancy", pin="4545", number=f"*7{customer.pk:02d}")
    return {"pk": room.pk}


def _dial_out(customer):
    room = ConferenceRoom.objects.get(pk=_room(customer)["pk"])
    dial_out = DialOut.objects.create(
        customer=customer, room=room, number="+48601222333", scheduled_for=timezone.now() + timedelta(hours=1)
    )
    return {"pk": dial_out.pk}


OBJECT_URLS = {
    "conferences:room": _room,
    "conferences:room_edit": _room,
    "conferences:room_delete": _room,
    "conferences:participant_add": _room,
    "conferences:dial_out_cancel": _dial_out,
}
