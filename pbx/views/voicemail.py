"""Wiadomości głosowe: the voicemail messages of one SIP account — listen, download, mark heard, delete."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import generic

from panel.generic import CustomerRequiredMixin
from pbx.audio import format_duration
from pbx.models import SipAccount, VoicemailMessage
from pbx.numbering import format_number
from pbx.voicemail import (
    caller_label,
    voicemail_delete,
    voicemail_get,
    voicemail_list,
    voicemail_mark,
    voicemail_unheard_count,
)

STATUS_FILTERS = ("new", "heard")


def with_labels(message: VoicemailMessage) -> VoicemailMessage:
    """Attach what the templates show: the caller for people and the length as m:ss."""
    message.caller_display = caller_label(message.caller)
    message.duration_display = format_duration(float(message.duration_seconds))
    return message


class VoicemailAccountMixin(CustomerRequiredMixin):
    """Resolves the SIP account of the URL through the customer (another customer's account is a 404)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and getattr(request, "customer", None) is not None:
            self.account = get_object_or_404(
                SipAccount.objects.for_customer(request.customer).select_related("customer"), pk=kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["account"] = self.account
        return context


class VoicemailMessageMixin(VoicemailAccountMixin):
    """Also resolves the message of the URL, which must belong to that account."""

    def get_message(self) -> VoicemailMessage:
        try:
            message = voicemail_get(customer=self.customer, account=self.account, pk=self.kwargs["message_pk"])
        except VoicemailMessage.DoesNotExist as missing:
            raise Http404("no such voicemail message") from missing
        return with_labels(message)

    def list_url(self) -> str:
        return reverse("pbx:voicemail_messages", kwargs={"pk": self.account.pk})


class VoicemailListView(VoicemailAccountMixin, generic.ListView):
    """The account's messages, newest first, with a player each; search by caller, filter new / heard."""

    template_name = "pbx/voicemail_list.html"
    context_object_name = "voicemail_messages"
    paginate_by = 25

    def get_queryset(self):
        status = self.request.GET.get("status", "")
        return voicemail_list(
            customer=self.customer,
            account=self.account,
            query=self.request.GET.get("q", ""),
            status=status if status in STATUS_FILTERS else "",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for message in context["voicemail_messages"]:
            with_labels(message)
        context.update(
            unheard_count=voicemail_unheard_count(customer=self.customer, account=self.account),
            status=self.request.GET.get("status", ""),
            query=self.request.GET.get("q", ""),
            voicemail_email=self.account.voicemail_email,
        )
        return context


class VoicemailMessageView(VoicemailMessageMixin, generic.TemplateView):
    """One message (GET); POST `heard=1` or `heard=0` marks it heard or new again."""

    template_name = "pbx/voicemail_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        message = self.get_message()
        context.update(message=message, received=timezone.localtime(message.received_at))
        if message.caller.startswith("+"):
            context["caller_number"] = format_number(message.caller)
        return context

    def post(self, request, *args, **kwargs):
        message = self.get_message()
        heard = request.POST.get("heard") == "1"
        voicemail_mark(customer=self.customer, message=message, heard=heard)
        if heard:
            messages.success(
                request, _("The message from %(caller)s is marked as heard.") % {"caller": message.caller_display}
            )
        else:
            messages.success(
                request, _("The message from %(caller)s is marked as new.") % {"caller": message.caller_display}
            )
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("pbx:voicemail_message", kwargs={"pk": self.account.pk, "message_pk": message.pk})
        return redirect(target)


class VoicemailAudioView(VoicemailMessageMixin, generic.View):
    """Streams the message's MP3 to the player, or as a download with `?download=1` (only to its own customer)."""

    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        message = self.get_message()
        try:
            handle = message.audio.open("rb")
        except (OSError, ValueError) as missing:
            raise Http404("the message's audio file is missing") from missing
        local = timezone.localtime(message.received_at)
        filename = f"voicemail-{self.account.extension}-{local:%Y%m%d-%H%M%S}.mp3"
        response = FileResponse(
            handle, content_type="audio/mpeg", as_attachment=request.GET.get("download") == "1", filename=filename
        )
        response["Cache-Control"] = "private, no-cache"
        return response


class VoicemailDeleteView(VoicemailMessageMixin, generic.TemplateView):
    """Asks first (GET), then deletes the message and its recording for good (POST)."""

    template_name = "pbx/voicemail_confirm_delete.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["message"] = self.get_message()
        return context

    def post(self, request, *args, **kwargs):
        message = self.get_message()
        try:
            voicemail_delete(customer=self.customer, message=message)
        except VoicemailMessage.DoesNotExist as missing:
            raise Http404 from missing
        messages.success(
            request, _("The message from %(caller)s has been deleted.") % {"caller": message.caller_display}
        )
        return redirect(self.list_url())


urlpatterns = [
    path("sip-accounts/<int:pk>/voicemail/", VoicemailListView.as_view(), name="voicemail_messages"),
    path("sip-accounts/<int:pk>/voicemail/<int:message_pk>/", VoicemailMessageView.as_view(), name="voicemail_message"),
    path(
        "sip-accounts/<int:pk>/voicemail/<int:message_pk>/audio.mp3",
        VoicemailAudioView.as_view(),
        name="voicemail_message_audio",
    ),
    path(
        "sip-accounts/<int:pk>/voicemail/<int:message_pk>/delete/",
        VoicemailDeleteView.as_view(),
        name="voicemail_message_delete",
    ),
]
