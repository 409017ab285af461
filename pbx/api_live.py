"""Ingestion API of call events, and the live calls and monitoring they make possible.

POST /api/v1/call-events/ — the PBX reports that a call started, was answered or ended (schema in
    pbx/live_events.py); the monitoring page lists the calls going on from these events.
GET  /api/v1/live-calls/ — the calls going on now.
POST /api/v1/live-calls/<call_id>/monitor/ — listen to a call, or whisper to its agent, from one of your
    extensions or external numbers (the call monitoring service must be on).

Authenticated with the customer's API key (`Authorization: Token <key>`). Everything stays inside the key's
customer: another customer's call id is unknown here (404), and an event with the same call id as another
customer's call is a different call of this customer. As in billing/api.py the URLs have no names (the
panel's URL-walking tenancy test uses a browser session, which this API does not accept);
pbx/tests/test_monitoring_api.py checks their tenancy.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.response import Response
from rest_framework.views import APIView

from billing.api import StrictJSONParser
from panel.api import ApiErrorSerializer, customer_of
from pbx.live_events import CallEventSerializer, call_event_ingest
from pbx.models import LiveCall, MonitorSession
from pbx.models.live import MonitorMode, MonitorTargetKind
from pbx.selectors.monitoring import live_call_list, live_call_queryset
from pbx.services.monitoring import monitor_start

ERRORS = {
    400: OpenApiResponse(ApiErrorSerializer, description="Not JSON, or fields that break the schema (per field)."),
    401: OpenApiResponse(ApiErrorSerializer, description="No key, an unknown key or a revoked key."),
}
EXAMPLE_EVENT = {
    "event_id": "pbx1-20250131-101500-0001-answered",
    "call_id": "pbx1-20250131-101500-0001",
    "kind": "answered",
    "at": "2025-01-31T10:15:07+01:00",
    "direction": "in",
    "caller": "+48501222333",
    "callee": "+48943401128",
    "extension": "11",
    "queue": "",
}


class LiveCallSerializer(serializers.ModelSerializer):
    """A call as it stands after its latest event."""

    queue = serializers.CharField(source="queue_number")

    class Meta:
        model = LiveCall
        fields = ["call_id", "state", "direction", "caller", "callee", "extension", "queue"]
        fields += ["started_at", "answered_at", "ended_at", "last_event_at"]


class CallEventReceiptSerializer(serializers.Serializer):
    created = serializers.BooleanField(help_text="False: this event id was received before and changed nothing.")
    call = LiveCallSerializer()


class MonitorRequestSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(
        choices=MonitorMode.choices, help_text="listen (hear both sides) or whisper (the agent hears you)."
    )
    target_kind = serializers.ChoiceField(
        choices=MonitorTargetKind.choices,
        help_text="extension (one of your extensions) or external (one of your external numbers, billed per minute).",
    )
    target = serializers.CharField(
        max_length=32, help_text="The extension number (e.g. 12) or the external number (e.g. +48501222333)."
    )


class MonitorSessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = MonitorSession
        fields = ["id", "call_id", "mode", "target_kind", "target", "status", "detail", "monitor_call_id"]
        fields += ["created_at", "leg_started_at", "leg_answered_at", "ended_at"]


class CallEventCollection(APIView):
    parser_classes = [StrictJSONParser]

    @extend_schema(
        operation_id="call_event_create",
        summary="Report that a call started, was answered or ended",
        description=(
            "Keeps the current state of each call for the live view and call monitoring. Events may arrive late "
            "or out of order: a call only moves forward (ringing, in progress, ended). One event per event id: "
            "sending it again answers 200 and changes nothing. The call record still goes to /api/v1/calls/ "
            "when the call has ended."
        ),
        request=CallEventSerializer,
        responses={
            201: OpenApiResponse(CallEventReceiptSerializer, description="Applied now."),
            200: OpenApiResponse(CallEventReceiptSerializer, description="Received before (same event id)."),
            **ERRORS,
        },
        examples=[OpenApiExample("An agent answered a call", value=EXAMPLE_EVENT, request_only=True)],
        tags=["live calls"],
    )
    def post(self, request):
        if not int(request.META.get("CONTENT_LENGTH") or 0):
            raise ParseError(_("The request body is empty: send one call event as a JSON object."))
        if not isinstance(request.data, dict):
            raise ParseError(_("Send one call event as a JSON object."))
        result = call_event_ingest(customer=customer_of(request), payload=request.data)
        body = CallEventReceiptSerializer({"created": result.created, "call": result.live_call}).data
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


class LiveCallCollection(APIView):
    @extend_schema(
        operation_id="live_call_list",
        summary="The calls going on now",
        description="Calls that have not ended and had an event in the last 4 hours, oldest first.",
        responses={200: LiveCallSerializer(many=True), 401: ERRORS[401]},
        tags=["live calls"],
    )
    def get(self, request):
        calls = live_call_list(customer=customer_of(request), now=timezone.now())
        return Response(LiveCallSerializer(calls, many=True).data)


class LiveCallMonitor(APIView):
    parser_classes = [StrictJSONParser]

    @extend_schema(
        operation_id="live_call_monitor",
        summary="Listen to a live call, or whisper to its agent",
        description=(
            "The PBX calls the supervisor's phone and connects it to the call. Needs the call monitoring service. "
            "Whisper needs an extension of yours on the call (the agent). An external number must be on your "
            "list of external numbers and is billed per minute by your tariff."
        ),
        request=MonitorRequestSerializer,
        responses={
            201: OpenApiResponse(MonitorSessionSerializer, description="The command was sent; see its status."),
            400: ERRORS[400],
            401: ERRORS[401],
            403: OpenApiResponse(ApiErrorSerializer, description="The call monitoring service is off."),
            404: OpenApiResponse(ApiErrorSerializer, description="You have no call with this id."),
            409: OpenApiResponse(ApiErrorSerializer, description="The call has already ended."),
        },
        tags=["live calls"],
    )
    def post(self, request, call_id: str):
        customer = customer_of(request)
        call = get_object_or_404(live_call_queryset(customer=customer), call_id=call_id)
        serializer = MonitorRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = monitor_start(customer=customer, live_call=call, **serializer.validated_data)
        return Response(MonitorSessionSerializer(session).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("call-events/", CallEventCollection.as_view()),
    path("live-calls/", LiveCallCollection.as_view()),
    path("live-calls/<str:call_id>/monitor/", LiveCallMonitor.as_view()),
]
