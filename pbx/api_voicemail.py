"""Ingestion API of voicemail messages: the PBX uploads a message a caller left (multipart) with its message id.

POST /api/v1/voicemail/ with `Authorization: Token <key>` (the customer's API
key). The message goes to the key's customer's SIP account with the given
extension; another customer's extension is not found there (404), exactly
like one that does not exist. Sending the same message id again is safe. The
OpenAPI description is at /api/v1/schema/.

As in billing/api.py the URL has no name: tests/test_tenancy.py walks named
panel URLs with a browser session, which this token-only API does not accept;
pbx/tests/test_voicemail_api.py checks its tenancy instead.
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
from pbx.voicemail import (
    MESSAGE_ID_PATTERN,
    VOICEMAIL_MAX_BYTES,
    VOICEMAIL_MAX_SECONDS,
    caller_label,
    voicemail_ingest,
)


class OptionalBooleanField(serializers.BooleanField):
    """A boolean that keeps its default when a form upload leaves it out (DRF's own reads a missing one as false)."""

    default_empty_html = serializers.empty


class VoicemailUploadSerializer(serializers.Serializer):
    """A voicemail message as the PBX uploads it (multipart/form-data)."""

    message_id = serializers.RegexField(
        MESSAGE_ID_PATTERN,
        max_length=64,
        help_text=_("The PBX's unique id of the message (e.g. its call id); sending it again stores nothing new."),
        error_messages={"invalid": _("A message id is 1 to 64 letters, digits or . _ : @ -")},
    )
    extension = serializers.RegexField(
        r"^[0-9]{2,6}\Z",
        help_text=_("The extension whose voicemail box took the message, e.g. 11."),
        error_messages={"invalid": _("An extension number is 2 to 6 digits.")},
    )
    caller = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=32,
        default="",
        help_text=_('The caller\'s number (E.164 best); empty or "anonymous" when withheld.'),
    )
    received_at = AwareDateTimeField(help_text=_("When the caller started leaving the message, with its time zone."))
    notify = OptionalBooleanField(
        required=False,
        default=True,
        help_text=_(
            "Whether to e-mail the message to the account's address (default yes); false for a message sent long "
            "after it was left, e.g. history replayed after an outage."
        ),
    )
    file = UploadedFileField(
        allow_empty_file=True,
        help_text=_("The message: MP3 (stored as it is) or WAV (converted to MP3)."),
    )


class VoicemailReceiptSerializer(serializers.Serializer):
    """What the upload answers: the stored message, and whether this request stored it."""

    id = serializers.IntegerField()
    message_id = serializers.CharField()
    extension = serializers.CharField()
    caller = serializers.CharField()
    received_at = serializers.DateTimeField()
    duration_seconds = serializers.DecimalField(max_digits=8, decimal_places=3)
    size_bytes = serializers.IntegerField()
    emailed = serializers.BooleanField(help_text=_("Whether the message has been e-mailed to the account's address."))
    created = serializers.BooleanField()
    detail = serializers.CharField()


def receipt(message, *, created: bool) -> dict:
    message.refresh_from_db(fields=["emailed_at"])
    return VoicemailReceiptSerializer(
        {
            "id": message.pk,
            "message_id": message.message_id,
            "extension": message.sip_account.extension,
            "caller": message.caller,
            "received_at": message.received_at,
            "duration_seconds": message.duration_seconds,
            "size_bytes": message.size_bytes,
            "emailed": message.emailed_at is not None,
            "created": created,
            "detail": str(
                _("Stored: a message from %(caller)s.") % {"caller": caller_label(message.caller)}
                if created
                else _("Already stored: this message is here already.")
            ),
        }
    ).data


class VoicemailUpload(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="voicemail_create",
        summary="Upload a voicemail message",
        description=(
            "Stores a message a caller left in the voicemail box of one of your extensions (Voice2Mail) and "
            "e-mails it, with the audio attached, to the account's e-mail address for messages when one is set. "
            "The file is recognised by its content and decoded in full, so a renamed or cut-off file is refused. "
            f"At most {VOICEMAIL_MAX_BYTES // (1024 * 1024)} MB and {VOICEMAIL_MAX_SECONDS // 60} minutes. "
            "One message per (extension, message id): sending it again answers 200 with the stored message."
        ),
        request={"multipart/form-data": VoicemailUploadSerializer},
        responses={
            201: OpenApiResponse(VoicemailReceiptSerializer, description="Stored now."),
            200: OpenApiResponse(VoicemailReceiptSerializer, description="This message id was stored before."),
            400: OpenApiResponse(
                ApiErrorSerializer,
                description="Missing or invalid fields, not MP3/WAV audio, or a damaged or cut-off file.",
            ),
            401: OpenApiResponse(ApiErrorSerializer, description="No key, an unknown key or a revoked key."),
            404: OpenApiResponse(ApiErrorSerializer, description="You have no SIP account with this extension."),
        },
        examples=[
            OpenApiExample(
                "A message for extension 11",
                value={
                    "message_id": "pbx1-20250131-101500-0001",
                    "extension": "11",
                    "caller": "+48600100200",
                    "received_at": "2025-01-31T10:15:30+01:00",
                    "file": "(binary)",
                },
                request_only=True,
            )
        ],
        tags=["voicemail"],
    )
    def post(self, request):
        serializer = VoicemailUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = voicemail_ingest(
            customer=customer_of(request),
            extension=data["extension"],
            caller=data["caller"],
            received_at=data["received_at"],
            fileobj=data["file"],
            message_id=data["message_id"],
            notify=data["notify"],
        )
        return Response(
            receipt(result.message, created=result.created),
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


urlpatterns = [
    path("voicemail/", VoicemailUpload.as_view()),
]
