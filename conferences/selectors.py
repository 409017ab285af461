"""Reads of the conferences app, always scoped to one customer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import Service, Subscription
from billing.selectors import package_plan, service_active
from conferences import constants
from conferences.choices import DialOutStatus
from conferences.models import ConferenceEvent, ConferenceLimit, ConferenceRoom, DialOut, Participant
from panel.models import Customer
from pbx.routing import model as routing


def conferences_available(*, customer: Customer, at: datetime | None = None) -> bool:
    """Whether the customer may use teleconferences now: included in its package, or bought (3 days or a month)."""
    return any(service_active(customer=customer, code=code, at=at) for code in constants.SERVICE_CODES)


@dataclass(frozen=True)
class Availability:
    """What the rooms page says about the service: on (and until when, for the 3-day option) or how to get it."""

    available: bool
    included: bool
    ends_at: datetime | None
    offers: list[Service]


def availability(*, customer: Customer) -> Availability:
    now = timezone.now()
    plan = package_plan(customer=customer)
    services = list(Service.objects.filter(code__in=constants.SERVICE_CODES).order_by("period_fee"))
    included = plan is not None and any(plan in service.included_in.all() for service in services)
    running = [
        sub
        for sub in Subscription.objects.for_customer(customer)
        .filter(service__code__in=constants.SERVICE_CODES, started_at__lte=now)
        .select_related("service")
        if sub.is_active_at(now)
    ]
    ends = [sub.ends_at for sub in running if sub.ends_at is not None]
    open_ended = any(sub.ends_at is None for sub in running)
    return Availability(
        available=included or bool(running),
        included=included,
        ends_at=None if included or open_ended or not ends else max(ends),
        offers=[service for service in services if service.is_offered],
    )


def participant_limit(*, customer: Customer) -> int:
    """The most participants one room of the customer may hold (15 unless an operator raised it)."""
    limit = ConferenceLimit.objects.filter(customer=customer).values_list("max_participants", flat=True).first()
    return limit or constants.DEFAULT_MAX_PARTICIPANTS


def room_list(*, customer: Customer, query: str = "") -> QuerySet[ConferenceRoom]:
    """The customer's rooms, each with `live_count` (participants now) and its public numbers prefetched."""
    rooms = (
        ConferenceRoom.objects.for_customer(customer)
        .annotate(live_count=Count("participants", filter=Q(participants__left_at__isnull=True)))
        .prefetch_related("phone_numbers")
        .order_by("number")
    )
    if query:
        rooms = rooms.filter(Q(name__icontains=query) | Q(number__icontains=query))
    return rooms


def room_dial_plan(*, customer: Customer) -> list[tuple[str, str]]:
    """The rooms' internal numbers in the customer's dial plan, each with what a collision with it is called."""
    return [
        (number, _("teleconference room %(name)s") % {"name": name})
        for number, name in ConferenceRoom.objects.for_customer(customer).values_list("number", "name")
    ]


def room_choices(*, customer: Customer) -> list[tuple[ConferenceRoom, str]]:
    """The customer's rooms as the PBX offers them: a phone number's target, a scheme's "conference" element."""
    return [
        (room, f"{room.name} ({room.number})")
        for room in ConferenceRoom.objects.for_customer(customer).order_by("number")
    ]


def room_routing_part(*, customer: Customer) -> dict[str, dict[int, routing.ConferenceRoom]]:
    """The rooms in the customer's routing snapshot, with how many are in each now; none while the service is off."""
    if not conferences_available(customer=customer):
        return {"conference_rooms": {}}
    return {
        "conference_rooms": {
            room.pk: routing.ConferenceRoom(
                id=room.pk,
                name=room.name,
                number=room.number,
                pin=room.pin,
                max_participants=room.max_participants,
                participants=room.live_count,
            )
            for room in room_list(customer=customer)
        }
    }


def room_get(*, customer: Customer, pk: int) -> ConferenceRoom:
    return room_list(customer=customer).get(pk=pk)


def room_by_number(*, customer: Customer, number: str) -> ConferenceRoom | None:
    return ConferenceRoom.objects.for_customer(customer).filter(number=number).first()


def live_participants(*, customer: Customer, room: ConferenceRoom) -> QuerySet[Participant]:
    return Participant.objects.for_customer(customer).filter(room=room, left_at__isnull=True).order_by("joined_at")


def live_count(*, customer: Customer, room: ConferenceRoom) -> int:
    return live_participants(customer=customer, room=room).count()


def recent_events(*, customer: Customer, room: ConferenceRoom, limit: int = 10) -> QuerySet[ConferenceEvent]:
    return ConferenceEvent.objects.for_customer(customer).filter(room=room).order_by("-at", "-pk")[:limit]


def dial_out_list(*, customer: Customer, room: ConferenceRoom) -> QuerySet[DialOut]:
    return DialOut.objects.for_customer(customer).filter(room=room).order_by("-created_at", "-pk")


def pending_dial_outs(*, customer: Customer, room: ConferenceRoom) -> QuerySet[DialOut]:
    return dial_out_list(customer=customer, room=room).filter(status=DialOutStatus.SCHEDULED)
