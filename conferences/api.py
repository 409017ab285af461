"""Ingestion API of conference events: the PBX reports who joins and leaves a teleconference room.

POST /api/v1/conference-events/ with `Authorization: Token <key>` (the
customer's API key), JSON. The room is named by its internal number (*NN);
another customer's room is not found (404), exactly like one that does not
exist. The event id makes a retry harmless. The schema is described at
`conferences.services.conference_event_ingest` and at /api/v1/schema/.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from conferences.choices import EventKind, JoinedVia, RefusalReason
from conferences.services import conference_event_ingest
from panel.api import ApiErrorSerializer, AwareDateTimeField, customer_of

ID_PATTERN = r"^[A-Za-z0-9._:@-]{1,64}\Z"


class ConferenceEventSerializer(serializers.Serializer):
    event_id = serializers.RegexField(
        ID_PATTERN,
        help_text=_("The PBX's unique id of this event; sending it again changes nothing."),
        error_messages={"invalid": _("An event id is 1 to 64 letters, digits or . _ : @ -")},
    )
    room = serializers.RegexField(
        r"^\*[0-9]{2,4}\Z",
        help_text=_("The room's internal number, e.g. *7556."),
        error_messages={"invalid": _("A room number is * followed by 2 to 4 digits.")},
    )
    kind = serializers.ChoiceField(choices=EventKind.choices)
    at = AwareDateTimeField(help_text=_("When it happened, ISO 8601 with a time zone."))
    channel = serializers.RegexField(
        ID_PATTERN,
        required=False,
        default="",
        help_text=_(
            "The caller's leg in the room (join, leave and refused events); a dialled-out call uses its call id."
        ),
    )
    number = serializers.CharField(required=False, allow_blank=True, default="", max_length=32)
    via = serializers.ChoiceField(choices=JoinedVia.choices, required=False, default=JoinedVia.DIAL_IN)
    reason = serializers.ChoiceField(choices=RefusalReason.choices, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if attrs["kind"] in (EventKind.JOIN, EventKind.LEAVE) and not attrs.get("channel"):
            raise serializers.ValidationError({"channel": [_("A join or leave event needs the caller's channel.")]})
        if attrs["kind"] == EventKind.REFUSED and not attrs.get("reason"):
            raise serializers.ValidationError({"reason": [_("Say why the caller was refused.")]})
        return attrs


class ConferenceEventReceiptSerializer(serializers.Serializer):
    event_id = serializers.CharField()
    room = serializers.CharField()
    kind = serializers.CharField()
    participants = serializers.IntegerField(help_text=_("How many are in the room after this event."))
    created = serializers.BooleanField()


class ConferenceEventView(APIView):
    @extend_schema(
        operation_id="conference_event_create",
        summary="Report a conference event",
        description=(
            "join: a caller entered the room (after the PIN); leave: a caller left; end: the conference ended and "
            "everybody left; refused: a caller was not let in (reason full: the room had its maximum of "
            "participants; pin: three wrong PINs; no_answer: a called participant did not answer)."
        ),
        request=ConferenceEventSerializer,
        responses={
            201: OpenApiResponse(ConferenceEventReceiptSerializer, description="Applied now."),
            200: OpenApiResponse(ConferenceEventReceiptSerializer, description="This event id was applied before."),
            400: OpenApiResponse(ApiErrorSerializer, description="Missing or invalid fields."),
            401: OpenApiResponse(ApiErrorSerializer, description="No key, an unknown key or a revoked key."),
            404: OpenApiResponse(ApiErrorSerializer, description="You have no room with this internal number."),
        },
        examples=[
            OpenApiExample(
                "A caller joins",
                value={
                    "event_id": "conf-7556-0001",
                    "room": "*7556",
                    "kind": "join",
                    "at": "2026-11-22T10:00:00+01:00",
                    "channel": "pbx1-abc123",
                    "number": "+48601222333",
                    "via": "dial_in",
                },
                request_only=True,
            )
        ],
        tags=["conferences"],
    )
    def post(self, request):
        from conferences.selectors import live_count, room_by_number

        serializer = ConferenceEventSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        customer = customer_of(request)
        if room_by_number(customer=customer, number=data["room"]) is None:
            detail = str(_("You have no teleconference room %(room)s.") % {"room": data["room"]})
            return Response({"detail": detail, "errors": {"room": [detail]}}, status=status.HTTP_404_NOT_FOUND)
        try:
            outcome = conference_event_ingest(customer=customer, payload=data)
        except DjangoValidationError as error:
            return Response(
                {
                    "detail": " ".join(error.messages),
                    "errors": error.message_dict if hasattr(error, "error_dict") else {},
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        event = outcome.event
        body = ConferenceEventReceiptSerializer(
            {
                "event_id": event.event_id,
                "room": event.room_number,
                "kind": event.kind,
                "participants": live_count(customer=customer, room=event.room) if event.room else 0,
                "created": outcome.created,
            }
        ).data
        return Response(body, status=status.HTTP_201_CREATED if outcome.created else status.HTTP_200_OK)


urlpatterns = [path("conference-events/", ConferenceEventView.as_view())]
