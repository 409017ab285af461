"""The voicemail greeting of a SIP account: listen to it, upload an own recording, go back to the system one."""

from __future__ import annotations

import logging

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic
from django.views.generic.detail import SingleObjectMixin

from panel.generic import TenantObjectMixin
from pbx import constants
from pbx.audio import format_duration, mp3_duration
from pbx.choices import GreetingKind
from pbx.models import SipAccount
from pbx.services.greetings import greeting_delete, greeting_upload

logger = logging.getLogger(__name__)


class GreetingUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Upload your own greeting"),
        # Only a hint for the browser's file picker: the content is checked on the server.
        widget=forms.FileInput(attrs={"accept": ".wav,.mp3"}),
        # An empty file gets the same clear message as any other refused file (from pbx.audio).
        allow_empty_file=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "A WAV or MP3 file of at most %(size)s MB and %(minutes)s minutes. "
            "It replaces the current greeting and is stored as MP3 (mono, 16 kHz)."
        ) % {"size": constants.GREETING_MAX_BYTES // (1024 * 1024), "minutes": constants.GREETING_MAX_SECONDS // 60}


def stored_greeting(account: SipAccount) -> str | None:
    """The storage name of the account's greeting file if the file really exists, else None."""
    name = account.greeting_file.name
    if not name:
        return None
    try:
        return name if account.greeting_file.storage.exists(name) else None
    except OSError:
        logger.warning("cannot check the greeting file %s", name, exc_info=True)
        return None


def greeting_duration(account: SipAccount) -> str | None:
    """How long the stored greeting plays, as m:ss, or None when it cannot be read."""
    try:
        with account.greeting_file.storage.open(account.greeting_file.name, "rb") as stored:
            return format_duration(mp3_duration(stored))
    except Exception:  # a damaged stored file must not break the page
        logger.warning("cannot read the greeting file %s", account.greeting_file.name, exc_info=True)
        return None


class SipAccountMixin(TenantObjectMixin, SingleObjectMixin):
    model = SipAccount
    context_object_name = "account"

    def get_queryset(self):
        return super().get_queryset().select_related("customer")


class SipAccountGreetingView(SipAccountMixin, generic.FormView):
    """Shows the current greeting with a player and takes an uploaded recording."""

    template_name = "pbx/greeting_detail.html"
    form_class = GreetingUploadForm

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        account = self.object
        has_file = stored_greeting(account) is not None
        context.update(
            has_file=has_file,
            duration=greeting_duration(account) if has_file else None,
            audio_url=reverse("pbx:sip_account_greeting_audio", kwargs={"pk": account.pk}),
            voicemail_code=constants.VOICEMAIL_ACCESS_CODE,
            own_kind=GreetingKind.OWN,
        )
        return context

    def form_valid(self, form):
        try:
            greeting_upload(customer=self.customer, account=self.object, upload=form.cleaned_data["file"])
        except SipAccount.DoesNotExist as missing:
            raise Http404 from missing
        except ValidationError as error:
            form.add_error("file", error)
            return self.form_invalid(form)
        messages.success(self.request, _("The own greeting has been saved. Voicemail now plays it to callers."))
        return redirect("pbx:sip_account_greeting", pk=self.object.pk)


class SipAccountGreetingAudioView(SipAccountMixin, generic.View):
    """Streams the stored greeting MP3 to the page's player (only to the account's own customer)."""

    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        account = self.get_object()
        name = stored_greeting(account)
        if name is None:
            raise Http404("no greeting file")
        response = FileResponse(
            account.greeting_file.storage.open(name, "rb"),
            content_type="audio/mpeg",
            filename=f"greeting-{account.extension}.mp3",
        )
        response["Cache-Control"] = "private, no-cache"
        return response


class SipAccountGreetingDeleteView(SipAccountMixin, generic.TemplateView):
    """Asks first (GET), then removes the own greeting (POST); voicemail returns to the system greeting."""

    template_name = "pbx/greeting_confirm_delete.html"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["has_greeting"] = bool(self.object.greeting_file.name) or self.object.greeting_kind == GreetingKind.OWN
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        try:
            greeting_delete(customer=self.customer, account=self.object)
        except SipAccount.DoesNotExist as missing:
            raise Http404 from missing
        messages.success(request, _("The own greeting has been deleted. Voicemail uses the system greeting again."))
        return redirect("pbx:sip_account_greeting", pk=self.object.pk)


urlpatterns = [
    path("sip-accounts/<int:pk>/greeting/", SipAccountGreetingView.as_view(), name="sip_account_greeting"),
    path(
        "sip-accounts/<int:pk>/greeting.mp3", SipAccountGreetingAudioView.as_view(), name="sip_account_greeting_audio"
    ),
    path(
        "sip-accounts/<int:pk>/greeting/delete/",
        SipAccountGreetingDeleteView.as_view(),
        name="sip_account_greeting_delete",
    ),
]
