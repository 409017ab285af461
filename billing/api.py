"""Ingestion API of call records: POST a call as JSON, read it back by its call id.

Authenticated with the customer's API key (`Authorization: Token <key>`,
created on the panel's "API keys" page); every read and write stays inside
that customer, so another customer's call id answers 404 like a missing one.
The OpenAPI description is served at /api/v1/schema/.

The URLs have no names on purpose: tests/test_tenancy.py walks named
panel URLs with a logged-in browser session, which this token-only API
does not accept; billing/tests/test_api.py checks its tenancy instead.
"""

from __future__ import annotations

import json

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from billing.ingestion import call_record_ingest
from billing.models import CallRecord
from billing.serializers import (
    CallReceiptSerializer,
    CallRecordInSerializer,
    CallRecordOutSerializer,
)
from panel.api import ApiErrorSerializer, customer_of


class StrictJSONParser(JSONParser):
    """JSON bodies only, with a message that says what is wrong and where."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", "utf-8")
        try:
            return json.loads(stream.read().decode(encoding))
        except (ValueError, UnicodeDecodeError) as error:
            raise ParseError(_("The request body is not valid JSON: %(error)s.") % {"error": error}) from error


ERRORS = {
    400: OpenApiResponse(ApiErrorSerializer, description="Not JSON, or fields that break the schema (per field)."),
    401: OpenApiResponse(ApiErrorSerializer, description="No key, an unknown key or a revoked key."),
}
EXAMPLE_CALL = {
    "call_id": "pbx1-20250131-101500-0001",
    "start": "2025-01-31T10:15:00+01:00",
    "answer": "2025-01-31T10:15:07+01:00",
    "end": "2025-01-31T10:17:19+01:00",
    "direction": "out",
    "caller": "10",
    "callee": "+48501222333",
    "extension": "10",
    "queue": "",
    "disposition": "answered",
    "legs": [
        {
            "kind": "outbound",
            "from": "+48943401128",
            "to": "+48501222333",
            "start": "2025-01-31T10:15:00+01:00",
            "answer": "2025-01-31T10:15:07+01:00",
            "end": "2025-01-31T10:17:19+01:00",
        }
    ],
}


class CallRecordCollection(APIView):
    parser_classes = [StrictJSONParser]

    @extend_schema(
        operation_id="call_record_create",
        summary="Report a call that has ended",
        description=(
            "Stores the call record once per call id and rates it in the background (billable legs: outgoing, "
            "forwards to external numbers, both legs of a callback). Sending the same call id again is safe: "
            "the answer is 200 with the stored record and nothing is stored or charged twice, also when two "
            "requests race."
        ),
        request=CallRecordInSerializer,
        responses={
            201: OpenApiResponse(CallReceiptSerializer, description="Stored now."),
            200: OpenApiResponse(CallReceiptSerializer, description="Already stored (same call id); unchanged."),
            **ERRORS,
        },
        examples=[OpenApiExample("Outgoing call to a mobile", value=EXAMPLE_CALL, request_only=True)],
        tags=["calls"],
    )
    def post(self, request):
        if not int(request.META.get("CONTENT_LENGTH") or 0):
            raise ParseError(_("The request body is empty: send one call record as a JSON object."))
        record, created = call_record_ingest(customer=customer_of(request), payload=request.data)
        receipt = CallReceiptSerializer(
            {"id": record.pk, "call_id": record.call_id, "rating_status": record.rating_status, "created": created}
        )
        return Response(receipt.data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class CallRecordDetail(APIView):
    @extend_schema(
        operation_id="call_record_retrieve",
        summary="Read a stored call record with its rating",
        responses={
            200: CallRecordOutSerializer,
            404: OpenApiResponse(ApiErrorSerializer, description="No call with this id for your key's customer."),
            401: ERRORS[401],
        },
        tags=["calls"],
    )
    def get(self, request, call_id: str):
        queryset = CallRecord.objects.for_customer(customer_of(request)).prefetch_related("legs")
        record = get_object_or_404(queryset, call_id=call_id)
        return Response(CallRecordOutSerializer(record).data)


urlpatterns = [
    path("calls/", CallRecordCollection.as_view()),
    path("calls/<str:call_id>/", CallRecordDetail.as_view()),
]
