"""Writes of the conferences app: rooms, the conference events the PBX reports, and dial-outs."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from conferences import selectors
from conferences.choices import DialOutStatus, EventKind, GreetingKind, JoinedVia, RefusalReason
from conferences.models import ConferenceEvent, ConferenceRoom, DialOut, Participant, greeting_upload_to
from panel.models import Customer
from pbx.audio import normalise_greeting
from pbx.choices import RouteKind
from pbx.models import PhoneNumber, Scheme
from pbx.services.dial_plan import dial_plan_collision

logger = logging.getLogger(__name__)

ROOM_FIELDS = (
    "name",
    "pin",
    "number",
    "greeting_kind",
    "play_join_leave_tone",
    "announce_join_leave",
    "announce_count",
    "max_participants",
)


# --- rooms --------------------------------------------------------------------------------------------------------


def _check_room(*, customer: Customer, room: ConferenceRoom, phone_number: PhoneNumber | None, has_file: bool) -> None:
    errors: dict[str, list[str]] = {}
    owned = [_stored_number(room)] if room.pk else []
    taken = dial_plan_collision(customer=customer, codes=[room.number], owned=owned)
    if taken:
        errors.setdefault("number", []).append(
            _("%(number)s is already used: %(what)s.") % {"number": room.number, "what": taken.used_by}
        )
    limit = selectors.participant_limit(customer=customer)
    if room.max_participants > limit:
        errors.setdefault("max_participants", []).append(
            _("At most %(limit)s participants per room on your account. Contact us to raise the limit.")
            % {"limit": limit}
        )
    if phone_number is not None and phone_number.customer_id != customer.pk:
        errors.setdefault("phone_number", []).append(_("Choose one of your numbers."))
    if room.greeting_kind == GreetingKind.OWN and not has_file:
        errors.setdefault("greeting_file", []).append(_("Attach the announcement file or choose the system one."))
    if errors:
        raise ValidationError(errors)


def _stored_number(room: ConferenceRoom) -> str | None:
    return ConferenceRoom.objects.filter(pk=room.pk).values_list("number", flat=True).first()


def _route_number(*, customer: Customer, room: ConferenceRoom, phone_number: PhoneNumber | None) -> None:
    """Make `phone_number` (or none) the room's public number; a number the room no longer has is disconnected."""
    numbers = PhoneNumber.objects.for_customer(customer)
    stale = numbers.filter(route_kind=RouteKind.CONFERENCE, route_conference=room)
    if phone_number is not None:
        stale = stale.exclude(pk=phone_number.pk)
    stale.update(route_kind=RouteKind.NONE, route_conference=None)
    if phone_number is not None:
        numbers.filter(pk=phone_number.pk).update(
            route_kind=RouteKind.CONFERENCE,
            route_conference=room,
            route_sip=None,
            route_external=None,
            route_queue=None,
            route_scheme=None,
        )


def _store_greeting(room: ConferenceRoom, content: bytes) -> None:
    storage = room.greeting_file.storage
    name = greeting_upload_to(room, "greeting.mp3")
    old = room.greeting_file.name
    if storage.exists(name):
        storage.delete(name)
    room.greeting_file.name = storage.save(name, ContentFile(content))
    room.save(update_fields=["greeting_file"])
    if old and old != room.greeting_file.name:
        transaction.on_commit(lambda: storage.delete(old))


def _drop_greeting(room: ConferenceRoom) -> None:
    if room.greeting_file:
        old, storage = room.greeting_file.name, room.greeting_file.storage
        room.greeting_file.name = ""
        transaction.on_commit(lambda: storage.delete(old))


@transaction.atomic
def room_save(
    *,
    customer: Customer,
    room: ConferenceRoom | None = None,
    phone_number: PhoneNumber | None = None,
    greeting_upload=None,
    **fields,
) -> ConferenceRoom:
    """Create (room=None) or change a room; routes the chosen public number to it. Refuses collisions and limits.

    An uploaded announcement is checked and re-encoded like a voicemail greeting; a refused file changes nothing.
    """
    audio = normalise_greeting(greeting_upload) if greeting_upload is not None else None
    Customer.objects.select_for_update().filter(pk=customer.pk).first()  # one dial-plan change at a time
    if room is None:
        room = ConferenceRoom(customer=customer)
    elif room.customer_id != customer.pk:
        raise ConferenceRoom.DoesNotExist
    for name in ROOM_FIELDS:
        if name in fields:
            setattr(room, name, fields[name])
    _check_room(customer=customer, room=room, phone_number=phone_number, has_file=bool(room.greeting_file or audio))
    if room.greeting_kind == GreetingKind.SYSTEM:
        _drop_greeting(room)
    room.full_clean(exclude=["customer", "greeting_file"], validate_constraints=False)
    try:
        with transaction.atomic():
            room.save()
    except IntegrityError as error:
        raise ValidationError({"number": [_("This internal number is already used by another room.")]}) from error
    if audio is not None and room.greeting_kind == GreetingKind.OWN:
        _store_greeting(room, audio.content)
    _route_number(customer=customer, room=room, phone_number=phone_number)
    return room


def room_usages(*, customer: Customer, room: ConferenceRoom) -> list[str]:
    """Call-flow schemes whose elements send callers to the room (deleting it would break them)."""
    names = []
    for scheme in Scheme.objects.for_customer(customer):
        nodes = scheme.graph.get("nodes", {}) if isinstance(scheme.graph, dict) else {}
        for node in nodes.values() if isinstance(nodes, dict) else ():
            config = node.get("config") if isinstance(node, dict) else None
            if (
                node.get("type") == "conference"
                and isinstance(config, dict)
                and str(config.get("room")) == str(room.pk)
            ):
                names.append(scheme.name)
                break
    return names


@transaction.atomic
def room_delete(*, customer: Customer, room: ConferenceRoom) -> None:
    """Delete a room: cancels its planned dial-outs, disconnects its public number. Refused while a scheme uses it."""
    room = ConferenceRoom.objects.for_customer(customer).select_for_update().get(pk=room.pk)
    schemes = room_usages(customer=customer, room=room)
    if schemes:
        raise ValidationError(
            _("The room is used in the call-flow schemes: %(schemes)s. Remove it from them first.")
            % {"schemes": ", ".join(schemes)}
        )
    for dial_out in selectors.pending_dial_outs(customer=customer, room=room):
        _cancel(dial_out)
    _route_number(customer=customer, room=room, phone_number=None)
    _drop_greeting(room)
    room.delete()


# --- conference events (the ingestion entry point) ------------------------------------------------------------------


@dataclass(frozen=True)
class EventOutcome:
    event: ConferenceEvent
    created: bool


@transaction.atomic
def conference_event_ingest(*, customer: Customer, payload: dict) -> EventOutcome:
    """Apply one conference event from the PBX; the same event id again changes nothing.

    payload: event_id, room (internal number *NN), kind (join | leave | end | refused), at (aware datetime),
    channel (the caller's leg; join and leave), number (the caller; join and refused), via (dial_in | dial_out;
    join), reason (full | pin | no_answer; refused).
    """
    existing = ConferenceEvent.objects.for_customer(customer).filter(event_id=payload["event_id"]).first()
    if existing is not None:
        return EventOutcome(existing, False)
    room = ConferenceRoom.objects.for_customer(customer).select_for_update().filter(number=payload["room"]).first()
    if room is None:
        raise ValidationError({"room": [_("You have no teleconference room %(room)s.") % {"room": payload["room"]}]})
    kind, at = payload["kind"], payload["at"]
    channel, number = payload.get("channel", ""), payload.get("number", "")
    if kind in (EventKind.JOIN, EventKind.LEAVE) and not channel:
        raise ValidationError({"channel": [_("A join or leave event needs the caller's channel.")]})
    event = ConferenceEvent(
        customer=customer,
        event_id=payload["event_id"],
        room=room,
        room_number=room.number,
        kind=kind,
        channel=channel,
        number=number,
        reason=payload.get("reason", "") if kind == EventKind.REFUSED else "",
        at=at,
    )
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError:  # the same event posted twice at once: the other one applied it
        return EventOutcome(ConferenceEvent.objects.for_customer(customer).get(event_id=payload["event_id"]), False)
    participants = Participant.objects.for_customer(customer).filter(room=room)
    if kind == EventKind.JOIN:
        participants.get_or_create(
            room=room,
            channel=channel,
            defaults={"number": number, "joined_at": at, "via": payload.get("via") or JoinedVia.DIAL_IN},
        )
    elif kind == EventKind.LEAVE:
        participants.filter(channel=channel, left_at__isnull=True).update(left_at=at)
    elif kind == EventKind.END:
        participants.filter(left_at__isnull=True).update(left_at=at)
    elif kind == EventKind.REFUSED and channel:  # a call the panel placed (its channel is the call id)
        status = DialOutStatus.NO_ANSWER if event.reason == RefusalReason.NO_ANSWER else DialOutStatus.REFUSED
        DialOut.objects.for_customer(customer).filter(call_id=channel).update(status=status)
    return EventOutcome(event, True)


# --- dial-outs ("add participant") ----------------------------------------------------------------------------------


@transaction.atomic
def dial_out_request(*, customer: Customer, room: ConferenceRoom, number: str, at: datetime | None = None) -> DialOut:
    """Call `number` into the room now (at=None) or at `at` by a scheduled job; a time in the past is refused."""
    from conferences import jobs
    from panel.jobqueue import enqueue, enqueue_at

    room = ConferenceRoom.objects.for_customer(customer).get(pk=room.pk)
    now = timezone.now()
    if at is not None and at <= now:
        raise ValidationError({"at": [_("This time has already passed. Choose a later time or leave it empty.")]})
    if not selectors.conferences_available(customer=customer):
        raise ValidationError(_("Teleconferences are not active on your account."))
    dial_out = DialOut.objects.create(customer=customer, room=room, number=number, scheduled_for=at)
    if at is None:
        enqueue(jobs.dial_out_place, customer.pk, dial_out.pk, job_id=dial_out.job_id)
    else:
        transaction.on_commit(
            lambda: enqueue_at(at, jobs.dial_out_place, customer.pk, dial_out.pk, job_id=dial_out.job_id)
        )
    return dial_out


def dial_out_place(*, customer: Customer, dial_out_id: int) -> DialOut | None:
    """Place a planned call now (the job's body); idempotent: only a dial-out still planned is placed, once."""
    from pbx.commands import originate

    with transaction.atomic():
        dial_out = (
            DialOut.objects.for_customer(customer)
            .select_for_update(of=("self",))
            .select_related("room")
            .filter(pk=dial_out_id)
        ).first()
        if dial_out is None or dial_out.status != DialOutStatus.SCHEDULED:
            return dial_out
        if dial_out.room is None:
            dial_out.status = DialOutStatus.CANCELLED
            dial_out.save(update_fields=["status"])
            return dial_out
        if not selectors.conferences_available(customer=customer):
            dial_out.status = DialOutStatus.FAILED
            dial_out.detail = _("Teleconferences were no longer active on your account.")
            dial_out.save(update_fields=["status", "detail"])
            return dial_out
        dial_out.call_id = dial_out.call_id or f"conference-{dial_out.pk}-{uuid.uuid4().hex[:12]}"
        dial_out.status = DialOutStatus.PLACED
        dial_out.placed_at = timezone.now()
        dial_out.save(update_fields=["call_id", "status", "placed_at"])
        room = dial_out.room
    caller_id = next((number.number for number in room.phone_numbers.all()), "") or room.number
    result = originate(
        customer=customer,
        from_number=room.number,
        to_number=dial_out.number,
        caller_id=caller_id,
        purpose="conference",
        call_id=dial_out.call_id,
    )
    logger.info("Dial-out %s to %s: answered %s", dial_out.call_id, dial_out.number, result.second_answered)
    dial_out.refresh_from_db(fields=["status"])  # a refused or unanswered call was reported by its event
    return dial_out


def _cancel(dial_out: DialOut) -> None:
    from panel.jobqueue import cancel_scheduled

    dial_out.status = DialOutStatus.CANCELLED
    dial_out.save(update_fields=["status"])
    job_id = dial_out.job_id
    transaction.on_commit(lambda: cancel_scheduled(job_id))


@transaction.atomic
def dial_out_cancel(*, customer: Customer, dial_out: DialOut) -> DialOut:
    dial_out = DialOut.objects.for_customer(customer).select_for_update().get(pk=dial_out.pk)
    if dial_out.status != DialOutStatus.SCHEDULED:
        raise ValidationError(_("This call has already been placed or cancelled."))
    _cancel(dial_out)
    return dial_out
