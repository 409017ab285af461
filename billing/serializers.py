"""The documented shape of a call record as a PBX sends it, and of what the API answers.

A call record (JSON object):

    call_id      the PBX's unique id of the call, 1–64 of A–Z a–z 0–9 . _ : @ -
    start        when the call started, ISO 8601 with a time zone offset
    answer       when it was answered (null or absent when it was not)
    end          when it ended (not before start; a call lasts at most 24 hours)
    direction    "in" (from outside), "out" (to outside) or "local" (internal)
    caller       the calling number or extension (up to 32 characters)
    callee       the called number or extension
    extension    the customer's extension involved (digits, optional)
    queue        the queue's number when the call went through a queue (optional)
    disposition  answered, no_answer, busy, failed, refused or voicemail
    legs         1–20 legs in order, each {kind, from, to, start, answer, end}; kind is
                 inbound, outbound, internal, forward, callback_employee, callback_target or monitor

Fields not listed here are ignored, so a PBX may send more.

The descriptions in the OpenAPI schema (help_text here) are documentation for
integrators and stay in English; the messages the API answers with at run
time are translated like the rest of the panel.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from billing.choices import CallDirection, Disposition, LegKind
from billing.models import CallLeg, CallRecord
from panel.api import AwareDateTimeField

MAX_CALL_DURATION = timedelta(hours=24)
MAX_LEGS = 20
NOT_ANSWERED = frozenset({Disposition.NO_ANSWER, Disposition.BUSY, Disposition.FAILED, Disposition.REFUSED})

call_id_validator = RegexValidator(r"^[A-Za-z0-9._:@-]{1,64}\Z", _("A call id is 1 to 64 letters, digits or . _ : @ -"))
number_validator = RegexValidator(
    r"^[A-Za-z0-9+*#_.@-]{1,32}\Z", _("A number is 1 to 32 digits, letters or + * # _ . @ -")
)
short_number_validator = RegexValidator(r"^[0-9]{1,6}\Z", _("Up to 6 digits."))


def optional_text(validator, help_text: str) -> serializers.CharField:
    """A text field a PBX may leave out or send empty (then ""), checked by `validator` when given."""
    return serializers.CharField(
        required=False, allow_blank=True, default="", validators=[validator], help_text=help_text
    )


def check_times(attrs: dict, errors: dict) -> None:
    """end ≥ start, start ≤ answer ≤ end, at most 24 hours."""
    start, answer, end = attrs["start"], attrs.get("answer"), attrs["end"]
    if end < start:
        errors["end"] = [_("The end is before the start.")]
    elif end - start > MAX_CALL_DURATION:
        errors["end"] = [_("A call lasts at most 24 hours.")]
    if answer is not None and not start <= answer <= end:
        errors["answer"] = [_("The answer time must be between the start and the end.")]


class CallLegInSerializer(serializers.Serializer):
    """One leg of the call. Billed: outbound (to the public network), forward (an incoming call forwarded to an
    external number), callback_employee, callback_target and monitor (to an external number); free: inbound and
    internal."""

    kind = serializers.ChoiceField(choices=LegKind.choices)
    start = AwareDateTimeField(help_text="When this leg started ringing, ISO 8601 with a time zone.")
    answer = AwareDateTimeField(
        required=False, allow_null=True, default=None, help_text="When it was answered; null if it was not."
    )
    end = AwareDateTimeField(help_text="When it ended. Talk time is end − answer, a started second counting whole.")

    def get_fields(self):
        fields = super().get_fields()
        # "from" and "to" are Python keywords, so they cannot be class attributes.
        fields["from"] = serializers.CharField(validators=[number_validator], help_text="Who this leg calls from.")
        fields["to"] = serializers.CharField(
            validators=[number_validator],
            help_text="Where this leg goes: a number (E.164, or 00…, or 9 Polish digits) or an extension.",
        )
        return fields

    def validate(self, attrs):
        errors: dict = {}
        check_times(attrs, errors)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class CallRecordInSerializer(serializers.Serializer):
    """One call that has ended, as the PBX saw it. Fields not described here are ignored."""

    call_id = serializers.CharField(
        validators=[call_id_validator],
        help_text="The PBX's unique id of the call. Sending the same id again stores and charges nothing twice.",
    )
    start = AwareDateTimeField(help_text="When the call started, ISO 8601 with a time zone offset.")
    answer = AwareDateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When it was answered; required for answered, null for no_answer, busy, failed and refused.",
    )
    end = AwareDateTimeField(help_text="When it ended: not before the start, at most 24 hours after it.")
    direction = serializers.ChoiceField(choices=CallDirection.choices, help_text="in, out or local (internal).")
    caller = serializers.CharField(validators=[number_validator], help_text="The calling number or extension.")
    callee = serializers.CharField(validators=[number_validator], help_text="The called number or extension.")
    extension = optional_text(short_number_validator, "The customer's extension involved, if any.")
    queue = optional_text(short_number_validator, "The queue's number when the call went through a queue.")
    disposition = serializers.ChoiceField(choices=Disposition.choices)
    legs = CallLegInSerializer(many=True, allow_empty=False, max_length=MAX_LEGS, help_text="1 to 20 legs, in order.")

    def validate(self, attrs):
        errors: dict = {}
        check_times(attrs, errors)
        if attrs["disposition"] == Disposition.ANSWERED and attrs.get("answer") is None:
            errors.setdefault("answer", []).append(_("An answered call needs its answer time."))
        elif attrs["disposition"] in NOT_ANSWERED and attrs.get("answer") is not None:
            errors.setdefault("answer", []).append(_("A call that was not answered has no answer time."))
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class CallReceiptSerializer(serializers.Serializer):
    """What POST answers: the stored record's id and rating status, and whether this request created it."""

    id = serializers.IntegerField()
    call_id = serializers.CharField()
    status = serializers.ChoiceField(
        source="rating_status", choices=CallRecord._meta.get_field("rating_status").choices
    )
    created = serializers.BooleanField()


class CallLegOutSerializer(serializers.ModelSerializer):
    start = serializers.DateTimeField(source="started_at")
    answer = serializers.DateTimeField(source="answered_at", allow_null=True)
    end = serializers.DateTimeField(source="ended_at")
    destination = serializers.CharField(source="destination_name", help_text="Tariff destination, once rated.")

    class Meta:
        model = CallLeg
        fields = ["index", "kind", "start", "answer", "end", "billable", "billed_seconds", "destination"]
        fields += ["rate_per_minute", "cost_net"]

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.CharField(source="source")
        fields["to"] = serializers.CharField(source="destination")
        return fields


class CallRecordOutSerializer(serializers.ModelSerializer):
    start = serializers.DateTimeField(source="started_at")
    answer = serializers.DateTimeField(source="answered_at", allow_null=True)
    end = serializers.DateTimeField(source="ended_at")
    queue = serializers.CharField(source="queue_number")
    status = serializers.ChoiceField(
        source="rating_status", choices=CallRecord._meta.get_field("rating_status").choices
    )
    problem = serializers.CharField(source="rating_error", help_text="Why the call could not be rated, if so.")
    legs = CallLegOutSerializer(many=True)

    class Meta:
        model = CallRecord
        fields = ["id", "call_id", "start", "answer", "end", "direction", "caller", "callee", "extension", "queue"]
        fields += ["disposition", "talk_seconds", "status", "problem", "cost_net", "cost_gross", "rated_at", "legs"]
