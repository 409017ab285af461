"""Ingestion API of recordings: the PBX uploads a call's recording (multipart) with its call id.

POST /api/v1/recordings/ with `Authorization: Token <key>` (the customer's API
key). The recording belongs to the key's customer; the call is looked up
among that customer's call records only, so another customer's call can never
be referenced: its id simply is not found there, and then the call's data
must come with the upload. The OpenAPI description is at /api/v1/schema/.

As in billing/api.py the URL has no name: tests/test_tenancy.py walks named
panel URLs with a browser session, which this token-only API does not accept.
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from panel.api import ApiErrorSerializer, AwareDateTimeField, UploadedFileField, customer_of
from recordings.choices import Direction
from recordings.ingestion import CALL_ID_PATTERN, MAX_BYTES, recording_ingest


class RecordingUploadSerializer(serializers.Serializer):
    """A recording as the PBX uploads it (multipart/form-data)."""

    call_id = serializers.RegexField(
        CALL_ID_PATTERN,
        max_length=64,
        help_text=_("The call's id, as in the call record; one recording per call."),
        error_messages={"invalid": _("A call id is 1 to 64 letters, digits or . _ : @ -")},
    )
    file = UploadedFileField(
        allow_empty_file=True,
        help_text=_("The recording: MP3 (stored as it is) or WAV (converted to MP3); up to 200 MB and 4 hours."),
    )
    started_at = AwareDateTimeField(
        required=False, allow_null=True, help_text=_("When the call started; needed if the call is not reported yet.")
    )
    direction = serializers.ChoiceField(
        choices=Direction.choices, required=False, help_text=_("in, out or local; needed if the call is not reported.")
    )
    caller = serializers.CharField(
        required=False, allow_blank=True, max_length=32, help_text=_("Needed if the call is not reported yet.")
    )
    callee = serializers.CharField(
        required=False, allow_blank=True, max_length=32, help_text=_("Needed if the call is not reported yet.")
    )


class RecordingReceiptSerializer(serializers.Serializer):
    """What the upload answers: the stored recording, and whether this request stored it."""

    id = serializers.IntegerField()
    call_id = serializers.CharField()
    path = serializers.CharField(help_text=_("Where the customer finds it over FTP: YYYY/MM/DD/<name>.mp3"))
    started_at = serializers.DateTimeField()
    size_bytes = serializers.IntegerField()
    sha256 = serializers.CharField()
    duration_seconds = serializers.DecimalField(max_digits=10, decimal_places=3)
    created = serializers.BooleanField()
    detail = serializers.CharField()


def receipt(recording, *, created: bool) -> dict:
    return RecordingReceiptSerializer(
        {
            "id": recording.pk,
            "call_id": recording.call_id,
            "path": recording.path.split("/", 1)[-1],
            "started_at": recording.started_at,
            "size_bytes": recording.size_bytes,
            "sha256": recording.sha256,
            "duration_seconds": recording.duration_seconds,
            "created": created,
            "detail": str(_("Stored.") if created else _("Already stored: this call's recording is here already.")),
        }
    ).data


class RecordingUpload(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="recording_create",
        summary="Upload a call's recording",
        description=(
            "Stores the recording of one call (MP3 kept as it is, WAV converted to MP3) under "
            "YYYY/MM/DD/YYYY-MM-DD_HH-MM-SS_<in|out|local>_<caller>_<callee>.mp3 in the customer's FTP tree. "
            "The call's start, direction and numbers are taken from its call record (POST /api/v1/calls/); "
            "when the call is not reported yet, send them with the file. Kept only if the customer's call "
            "recording service was on when the call started. One recording per call id: the same file again "
            "answers 200, a different file 409. The file is recognised by its content and decoded in full, "
            f"so a renamed or cut-off file is refused. At most {MAX_BYTES // (1024 * 1024)} MB and 4 hours."
        ),
        request={"multipart/form-data": RecordingUploadSerializer},
        responses={
            201: OpenApiResponse(RecordingReceiptSerializer, description="Stored now."),
            200: OpenApiResponse(RecordingReceiptSerializer, description="The same file was stored before."),
            400: OpenApiResponse(
                ApiErrorSerializer,
                description="Missing or invalid fields, not MP3/WAV audio, a damaged or cut-off file, or an "
                "unreported call without its data.",
            ),
            401: OpenApiResponse(ApiErrorSerializer, description="No key, an unknown key or a revoked key."),
            403: OpenApiResponse(
                ApiErrorSerializer, description="The recording service was off when the call started."
            ),
            409: OpenApiResponse(
                ApiErrorSerializer, description="A different recording of this call is stored already."
            ),
        },
        examples=[
            OpenApiExample(
                "Recording of an unreported call",
                value={
                    "call_id": "pbx1-20250131-101500-0001",
                    "file": "(binary)",
                    "started_at": "2025-01-31T10:15:00+01:00",
                    "direction": "out",
                    "caller": "10",
                    "callee": "+48501222333",
                },
                request_only=True,
            )
        ],
        tags=["recordings"],
    )
    def post(self, request):
        serializer = RecordingUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        upload = data["file"]
        result = recording_ingest(
            customer=customer_of(request),
            call_id=data["call_id"],
            fileobj=upload,
            filename=upload.name or "",
            started_at=data.get("started_at"),
            direction=data.get("direction") or None,
            caller=data.get("caller") or None,
            callee=data.get("callee") or None,
        )
        return Response(
            receipt(result.recording, created=result.created),
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


urlpatterns = [
    path("recordings/", RecordingUpload.as_view()),
]
