"""Test builders of the conferences app: the package that includes rooms, rooms and planned dial-outs."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from conferences import services
from conferences.models import ConferenceLimit, ConferenceRoom, DialOut
from panel.choices import Package


def premium(customer):
    """`customer` moved to the Premium package, where teleconferences are included; returned for chaining."""
    customer.package = Package.PREMIUM
    customer.save(update_fields=["package"])
    return customer


def room(
    customer, *, name: str = "Zarząd", pin: str = "4545", number: str = "*7556", max_participants: int = 15, **fields
) -> ConferenceRoom:
    """A room made by the rooms service, which checks it and routes its `phone_number` (when given) to it.

    The service refuses a customer without teleconferences: pass `premium(customer)` unless the test is about that.
    """
    return services.room_save(
        customer=customer, name=name, pin=pin, number=number, max_participants=max_participants, **fields
    )


def dial_out(room: ConferenceRoom, *, number: str = "+48601222333", **fields) -> DialOut:
    """A call out to `number` planned for an hour from now unless `scheduled_for` says otherwise."""
    fields.setdefault("scheduled_for", timezone.now() + timedelta(hours=1))
    return DialOut.objects.create(customer=room.customer, room=room, number=number, **fields)


def conference_limit(customer, *, max_participants: int) -> ConferenceLimit:
    """An operator's raised limit of participants per room for `customer`."""
    return ConferenceLimit.objects.create(customer=customer, max_participants=max_participants)


def join(customer, room, channel: str, number: str = "+48601000001", at=None):
    """A caller joins `room` on `channel`, reported as the PBX reports it (a conference event)."""
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
