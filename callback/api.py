"""The SMS gateway's webhook: an SMS that arrived at the service number, to order a call.

The gateway is the operator's, not a customer's, so it authenticates with one
shared secret, the `SMS_WEBHOOK_TOKEN` setting (`Authorization: Token <secret>`).
With the setting empty every request is refused. The answer never says whether
the sender is authorized: a stranger learns nothing about the service.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import authentication, exceptions, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from callback.services import inbound_sms


class SmsGateway:
    """The authenticated party of a webhook request (not a user)."""

    is_authenticated = True


class SmsWebhookAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        secret = getattr(settings, "SMS_WEBHOOK_TOKEN", "")
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2 or not secret or not hmac.compare_digest(parts[1], secret.encode()):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return SmsGateway(), "sms-gateway"

    def authenticate_header(self, request):
        return self.keyword


class SmsWebhookScheme(OpenApiAuthenticationExtension):
    """Describes SmsWebhookAuthentication in the OpenAPI schema."""

    target_class = "callback.api.SmsWebhookAuthentication"
    name = "smsGatewayToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'The SMS gateway\'s shared secret as "Token <secret>" (operator setting SMS_WEBHOOK_TOKEN).',
        }


class IsSmsGateway(permissions.BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.user, SmsGateway)


class InboundSmsSerializer(serializers.Serializer):
    sender = serializers.CharField(max_length=32, help_text="The number the SMS came from.")
    text = serializers.CharField(max_length=1000, allow_blank=True, help_text="The text of the SMS.")


class InboundSmsView(APIView):
    authentication_classes = [SmsWebhookAuthentication]
    permission_classes = [IsSmsGateway]

    @extend_schema(
        operation_id="callback_inbound_sms",
        summary="An SMS arrived at the call-ordering service number",
        request=InboundSmsSerializer,
        responses={202: OpenApiResponse(description="Taken (whatever the sender: the answer reveals nothing).")},
        tags=["callback"],
    )
    def post(self, request):
        serializer = InboundSmsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        inbound_sms(sender=serializer.validated_data["sender"], text=serializer.validated_data["text"])
        return Response({"detail": _("Received.")}, status=status.HTTP_202_ACCEPTED)


urlpatterns = [path("callback/sms/", InboundSmsView.as_view(), name="callback-inbound-sms")]
