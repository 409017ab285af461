"""The shared machinery of the ingestion API: token authentication scoped to one customer, errors as JSON.

Every endpoint of every app authenticates with `Authorization: Token <key>`;
`request.customer` is the token's customer and endpoints read and write only
inside it (another customer's object answers 404, as in the panel).
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import OperationalError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import authentication, exceptions, permissions, serializers

from panel.models import ApiToken
from panel.models.api import hash_token
from panel.refusal import Refused

logger = logging.getLogger(__name__)


class CustomerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        key = header[1].decode(errors="replace")
        token = (
            ApiToken.objects.select_related("customer")
            .filter(key_hash=hash_token(key), revoked_at__isnull=True, customer__is_active=True)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        try:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        except OperationalError:
            # "Last used" is informational: a busy database (SQLite under parallel posts) must not fail the request.
            logger.warning("Could not record the last use of API token %s", token.pk)
        request._request.customer = token.customer
        return (None, token)

    def authenticate_header(self, request):
        return self.keyword


class CustomerTokenScheme(OpenApiAuthenticationExtension):
    """Describes panel.api.CustomerTokenAuthentication in the OpenAPI schema."""

    target_class = "panel.api.CustomerTokenAuthentication"
    match_subclasses = True
    name = "customerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'The customer\'s API key as "Token <key>" (panel: Account and finance › API keys).',
        }


class IsCustomerClient(permissions.BasePermission):
    """Allows requests authenticated by a customer's API token."""

    def has_permission(self, request, view):
        return isinstance(request.auth, ApiToken)


def customer_of(request):
    """The customer whose token authenticated this API request."""
    return request.auth.customer


def exception_handler(exc, context):
    """DRF's handler, with every error body shaped as {"detail": ..., "errors": {...}}; a `Refused` answers with
    the status its code names (400, 403, 404, 409)."""
    from rest_framework.response import Response
    from rest_framework.views import exception_handler as drf_exception_handler  # imports this module's settings

    if isinstance(exc, Refused):
        return Response(exc.body(), status=exc.http_status)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" not in response.data:
        response.data = {"detail": _("The request is not valid."), "errors": response.data}
    elif response is not None and isinstance(response.data, list):
        response.data = {"detail": " ".join(str(item) for item in response.data)}
    return response


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 time that must carry its time zone: a PBX's local time is ambiguous twice a year."""

    default_error_messages = {
        "naive": _("Give the time with its time zone, e.g. 2025-01-31T10:15:00+01:00."),
    }

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None  # e.g. month 13; the parent says the format is wrong
            if parsed is not None and parsed.tzinfo is None:
                self.fail("naive")
        elif isinstance(value, datetime) and value.tzinfo is None:
            self.fail("naive")
        return super().to_internal_value(value)


@extend_schema_field({"type": "string", "format": "binary"})
class UploadedFileField(serializers.FileField):
    """A file sent as a multipart part (described as binary: the schema's requests are not split)."""


class ApiErrorSerializer(serializers.Serializer):
    """The body of every API error (see `exception_handler`): a sentence, and per-field messages when invalid."""

    detail = serializers.CharField()
    errors = serializers.DictField(required=False)
