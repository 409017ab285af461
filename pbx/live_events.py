"""The entry point for call events: what a PBX (or the simulator) reports while a call is going on.

A call event (JSON object):

    event_id   the PBX's unique id of this event, 1–64 of A–Z a–z 0–9 . _ : @ -
               (sending the same event id again changes nothing)
    call_id    the call it belongs to, the same id its call record will carry later
    kind       "started" (ringing), "answered" or "ended"
    at         when it happened, ISO 8601 with a time zone offset
    direction  "in", "out" or "local" (required for "started")
    caller     the calling number or extension (required for "started")
    callee     the called number or extension (required for "started")
    extension  the customer's extension on the call: the agent's leg (optional; "answered" may name
               the agent who picked up a queue call)
    queue      the queue's number when the call goes through a queue (optional)

Events may arrive late or out of order: a call's state only moves forward
(ringing → in progress → ended), so an "answered" after the "ended" does not
bring the call back. The "ended" event also ends the monitoring of that call.
`call_event_ingest` is the one implementation; the HTTP API (pbx/api_live.py)
is a thin layer over it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from billing.choices import CallDirection
from billing.ingestion import one_at_a_time_if_connection_is_shared, retry_while_sqlite_is_busy
from billing.serializers import call_id_validator, number_validator, optional_text, short_number_validator
from panel.api import AwareDateTimeField
from panel.models import Customer
from pbx.models import CallEvent, LiveCall
from pbx.models.live import STATE_RANK, CallEventKind, LiveCallState
from pbx.models.sip import extension_validator

logger = logging.getLogger(__name__)

STARTED_REQUIRES = ("direction", "caller", "callee")


class CallEventSerializer(serializers.Serializer):
    """One event of a call in progress, as the PBX reports it. Fields not described here are ignored."""

    event_id = serializers.CharField(
        validators=[call_id_validator],
        help_text="The PBX's unique id of this event. Sending the same id again changes nothing.",
    )
    call_id = serializers.CharField(
        validators=[call_id_validator], help_text="The call's id: the same id its call record carries when it ends."
    )
    kind = serializers.ChoiceField(choices=CallEventKind.choices, help_text="started, answered or ended.")
    at = AwareDateTimeField(help_text="When it happened, ISO 8601 with a time zone offset.")
    direction = serializers.ChoiceField(
        choices=CallDirection.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="in, out or local (internal); required for started.",
    )
    caller = optional_text(number_validator, "The calling number or extension; required for started.")
    callee = optional_text(number_validator, "The called number or extension; required for started.")
    extension = optional_text(extension_validator, "Your extension on the call (the agent), e.g. 11. Whisper needs it.")
    queue = optional_text(short_number_validator, "The queue's number when the call goes through a queue.")

    def validate(self, attrs):
        if attrs["kind"] == CallEventKind.STARTED:
            missing = {name: [_("Required for a started event.")] for name in STARTED_REQUIRES if not attrs[name]}
            if missing:
                raise serializers.ValidationError(missing)
        return attrs


@dataclass(frozen=True)
class CallEventResult:
    live_call: LiveCall
    created: bool  # False: this event id was received before, nothing changed


def call_event_ingest(*, customer: Customer, payload: Mapping[str, Any]) -> CallEventResult:
    """Apply one call event of `customer` to the call's current state; returns the call and whether it was new.

    Raises rest_framework's `ValidationError` with messages per field when the payload does not follow
    the schema; nothing changes then. The same event id again returns the call unchanged (created False).
    """
    serializer = CallEventSerializer(data=payload)
    serializer.is_valid(raise_exception=True)
    with one_at_a_time_if_connection_is_shared():  # the same turn-taking as call records (test servers only)
        return retry_while_sqlite_is_busy(partial(_apply, customer=customer, data=serializer.validated_data))


def _live_call_for_update(customer: Customer, call_id: str) -> LiveCall | None:
    return LiveCall.objects.for_customer(customer).select_for_update().filter(call_id=call_id).first()


@transaction.atomic
def _apply(*, customer: Customer, data: dict) -> CallEventResult:
    try:
        with transaction.atomic():  # a savepoint: a duplicate (also a concurrent one) rolls back only this
            CallEvent.objects.create(
                customer=customer, event_id=data["event_id"], call_id=data["call_id"], kind=data["kind"], at=data["at"]
            )
    except IntegrityError:
        existing = LiveCall.objects.for_customer(customer).filter(call_id=data["call_id"]).first()
        if existing is None:
            raise
        return CallEventResult(existing, created=False)

    call = _live_call_for_update(customer, data["call_id"])
    if call is None:
        call = LiveCall(customer=customer, call_id=data["call_id"], started_at=data["at"], last_event_at=data["at"])
        try:
            with transaction.atomic():
                call.save(force_insert=True)
        except IntegrityError:  # the first event of this call arrived twice at once under another event id
            call = _live_call_for_update(customer, data["call_id"])
    _update(call, data)
    call.save()
    if call.state == LiveCallState.ENDED:
        from pbx.services.monitoring import monitor_sessions_end

        monitor_sessions_end(customer=customer, live_call=call, at=call.ended_at or data["at"])
    return CallEventResult(call, created=True)


def _update(call: LiveCall, data: dict) -> None:
    """Fold one event into the call's state; the state never moves backwards."""
    at, kind = data["at"], data["kind"]
    for field, key in (
        ("direction", "direction"),
        ("caller", "caller"),
        ("callee", "callee"),
        ("queue_number", "queue"),
    ):
        if data[key] and (kind == CallEventKind.STARTED or not getattr(call, field)):
            setattr(call, field, data[key])
    if data["extension"] and (kind == CallEventKind.ANSWERED or not call.extension):
        call.extension = data["extension"]  # the agent who answered (e.g. a queue call) replaces the one rung first
    call.started_at = min(call.started_at, at)
    call.last_event_at = max(call.last_event_at, at)
    new_state = {
        CallEventKind.STARTED: LiveCallState.RINGING,
        CallEventKind.ANSWERED: LiveCallState.ANSWERED,
        CallEventKind.ENDED: LiveCallState.ENDED,
    }[kind]
    if kind == CallEventKind.ANSWERED and (call.answered_at is None or at < call.answered_at):
        call.answered_at = at
    if kind == CallEventKind.ENDED:
        call.ended_at = at if call.ended_at is None else min(call.ended_at, at)
    if STATE_RANK[new_state] > STATE_RANK[call.state]:
        call.state = new_state
