"""Moje centralki: call-flow schemes, their visual editor, "powiąż numer" and the recordings of announcements.

The editor (static/js/scheme_editor.js with drawflow) is the one page that
needs JavaScript; without it the page shows the scheme as a list of elements
and their exits. Everything else is plain forms.
"""

from __future__ import annotations

import json
import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from django.views import generic
from django.views.generic.detail import SingleObjectMixin

from panel.generic import (
    TenantCreateView,
    TenantDeleteView,
    TenantDetailView,
    TenantListView,
    TenantObjectMixin,
    TenantUpdateView,
    add_service_errors,
    restrict_form_fields,
)
from pbx.forms.schemes import AnnouncementUploadForm, SchemeBindForm, SchemeForm
from pbx.models import PhoneNumber, Scheme
from pbx.numbering import format_number
from pbx.schemes.holidays_seed import seed_holidays
from pbx.schemes.spec import DIGITS, NODE_TYPES
from pbx.schemes.validation import (
    DEFAULTS,
    END_OF_DAY,
    EXIT_LABELS,
    IVR_MAX_ATTEMPTS,
    IVR_TIMEOUT_SECONDS,
    MAX_LABEL_LENGTH,
    MAX_TEXT_LENGTH,
    RING_SECONDS,
    SYSTEM_AUDIO,
    TYPE_EXIT_LABELS,
    WEEKDAY_LABELS,
    WEEKDAYS,
    type_label,
)
from pbx.selectors import schemes as selectors
from pbx.services import schemes as services

ICONS = {
    "announcement": "bi-megaphone",
    "ivr": "bi-grid-3x3-gap",
    "time_condition": "bi-clock",
    "queue": "bi-people",
    "extension": "bi-telephone",
    "external": "bi-phone",
    "voicemail": "bi-voicemail",
    "conference": "bi-person-video3",
    "hangup": "bi-telephone-x",
}
PALETTE = (
    "announcement",
    "ivr",
    "time_condition",
    "queue",
    "extension",
    "external",
    "voicemail",
    "conference",
    "hangup",
)
WEEKDAY_SHORT = {
    "mon": pgettext_lazy("weekday", "Mon"),
    "tue": pgettext_lazy("weekday", "Tue"),
    "wed": pgettext_lazy("weekday", "Wed"),
    "thu": pgettext_lazy("weekday", "Thu"),
    "fri": pgettext_lazy("weekday", "Fri"),
    "sat": pgettext_lazy("weekday", "Sat"),
    "sun": pgettext_lazy("weekday", "Sun"),
}
DEFAULT_HOURS = {day: ([["08:00", "16:00"]] if day not in ("sat", "sun") else []) for day in WEEKDAYS}


class SchemeListView(TenantListView):
    model = Scheme
    template_name = "pbx/scheme_list.html"
    context_object_name = "schemes"

    def get_queryset(self):
        return selectors.scheme_list(customer=self.customer, query=self.request.GET.get("q", ""))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for scheme in context["schemes"]:
            scheme.element_count = selectors.element_count(scheme)
            scheme.display_numbers = [format_number(number.number) for number in scheme.bound_numbers]
        context["query"] = self.request.GET.get("q", "").strip()
        return context


class SchemeNameMixin:
    model = Scheme
    form_class = SchemeForm
    template_name = "pbx/scheme_form.html"
    context_object_name = "scheme"

    def get_success_url(self):
        return reverse("pbx:scheme_editor", kwargs={"pk": self.object.pk})


class SchemeCreateView(SchemeNameMixin, TenantCreateView):
    def form_valid(self, form):
        try:
            self.object = services.scheme_create(customer=self.customer, name=form.cleaned_data["name"])
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Scheme %(name)s was created. Add its elements with the green plus and connect them with arrows.")
            % {"name": self.object.name},
        )
        return HttpResponseRedirect(self.get_success_url())


class SchemeRenameView(SchemeNameMixin, TenantUpdateView):
    def form_valid(self, form):
        try:
            self.object = services.scheme_rename(
                customer=self.customer, scheme=self.object, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The scheme was renamed to %(name)s.") % {"name": self.object.name})
        return HttpResponseRedirect(self.get_success_url())


def editor_config(scheme: Scheme) -> dict:
    """Everything the editor script needs besides the graph and the customer's objects: URLs, types, words."""
    types = {}
    for name in PALETTE:
        node_type = NODE_TYPES[name]
        types[name] = {
            "label": type_label(name),
            "icon": ICONS[name],
            "exits": list(node_type.fixed_exits),
            "exit_labels": {
                exit_name: str(TYPE_EXIT_LABELS.get((name, exit_name)) or EXIT_LABELS[exit_name])
                for exit_name in node_type.fixed_exits
            },
            "digit_exits": node_type.digit_exits,
        }
    return {
        "urls": {
            "save": reverse("pbx:scheme_save", kwargs={"pk": scheme.pk}),
            "upload": reverse("pbx:scheme_announcement_upload", kwargs={"pk": scheme.pk}),
        },
        "types": types,
        "palette": list(PALETTE),
        "digits": list(DIGITS),
        "weekdays": [
            {"key": day, "label": str(WEEKDAY_LABELS[day]), "short": str(WEEKDAY_SHORT[day])} for day in WEEKDAYS
        ],
        "defaults": {
            **DEFAULTS,
            "hours": DEFAULT_HOURS,
            "holidays": seed_holidays(timezone.localdate()),
            "ivr_options": ["1", "2"],
        },
        "limits": {
            "ring_seconds": list(RING_SECONDS),
            "timeout_seconds": list(IVR_TIMEOUT_SECONDS),
            "max_attempts": list(IVR_MAX_ATTEMPTS),
            "label": MAX_LABEL_LENGTH,
            "text": MAX_TEXT_LENGTH,
            "end_of_day": END_OF_DAY,
        },
        "system_audio": SYSTEM_AUDIO,
        "i18n": editor_words(),
    }


def editor_words() -> dict[str, str]:
    """The editor's words in the user's language (the script has no catalogue of its own)."""
    return {
        "start": _("Start"),
        "make_start": _("Make this the start"),
        "is_start": _("Calls enter the scheme here."),
        "delete": _("Delete element"),
        "confirm_delete": _("Delete this element and its arrows?"),
        "cannot_delete_start": _("The start element cannot be deleted: first make another element the start."),
        "label": _("Label on the canvas"),
        "settings_of": _("Settings: %(type)s"),
        "pick_element": _("Click an element on the canvas to change its settings."),
        "audio": _("What the caller hears"),
        "system_audio": _("System announcement (text below)"),
        "system_prompt": _("System prompt"),
        "text": _("Text of the announcement"),
        "text_own": _("Note (optional)"),
        "upload": _("Upload a recording (WAV or MP3, at most 10 MB and 5 minutes)"),
        "uploading": _("Uploading and checking the recording…"),
        "uploaded": _("The recording was uploaded and chosen."),
        "upload_failed": _("The recording could not be uploaded."),
        "play": _("Listen"),
        "keys": _("Keys the caller can press"),
        "keys_short": _("Keys"),
        "key": pgettext("scheme exit", "key %(digit)s"),
        "timeout_seconds": _("Wait for a key (s)"),
        "max_attempts": _("Attempts"),
        "ring_seconds": _("Ring time (s)"),
        "queue": _("Queue"),
        "extension": _("Extension"),
        "external_number": _("External number"),
        "voicemail_box": _("Voicemail box of extension"),
        "voicemail_off": _("voicemail off"),
        "room": _("Teleconference room"),
        "choose": _("– choose from the list –"),
        "none_yet": _("You have none yet: create one first."),
        "hours": _("Opening hours (Europe/Warsaw time)"),
        "closed": _("closed"),
        "from": _("from"),
        "to": _("to"),
        "add_period": _("Add a period"),
        "remove_period": _("Remove the period"),
        "holidays": _("Holidays (outside hours all day), one date per line, YYYY-MM-DD"),
        "use_public_holidays": _("Also treat Polish public holidays as outside hours (every year)"),
        "add_public_holidays": _("Insert this and next year's public holidays"),
        "hangup_note": _("Ends the call."),
        "conference_unavailable": _("No teleconference rooms yet: create a room first."),
        "saving": _("Saving…"),
        "saved": _("The scheme was saved."),
        "not_saved": _("Not saved: correct the elements marked in red."),
        "save_failed": _("The scheme could not be saved. Check your connection and try again."),
        "unsaved": _("You have unsaved changes."),
        "leave_unsaved": _("You have unsaved changes. Leave the editor anyway?"),
        "errors_title": _("The scheme was not saved:"),
        "element_errors": _("%(element)s: %(errors)s"),
        "zoom_in": _("Zoom in"),
        "zoom_out": _("Zoom out"),
    }


class SchemeEditorView(TenantDetailView):
    model = Scheme
    template_name = "pbx/scheme_editor.html"
    context_object_name = "scheme"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scheme = self.object
        objects = selectors.editor_objects(customer=self.customer, scheme=scheme)
        context.update(
            graph=scheme.graph,
            objects=objects.as_json(),
            editor_config=editor_config(scheme),
            summary=selectors.scheme_summary(graph=scheme.graph, objects=objects),
            bound_numbers=[
                format_number(number.number)
                for number in selectors.scheme_bound_numbers(customer=self.customer, scheme=scheme)
            ],
            tracer_url=f"{reverse('pbx:tracer')}?scheme={scheme.pk}",
        )
        return context


class SchemeObjectMixin(TenantObjectMixin, SingleObjectMixin):
    model = Scheme
    context_object_name = "scheme"


class SchemeSaveView(SchemeObjectMixin, generic.View):
    """The editor's save: POST {"graph": {...}} as JSON; answers {"ok": true} or the problems per element.

    GET returns the stored graph (what the editor would load).
    """

    def get(self, request, *args, **kwargs):
        scheme = self.get_object()
        return JsonResponse({"graph": scheme.graph})

    def post(self, request, *args, **kwargs):
        scheme = self.get_object()
        unreadable = _("The editor's data could not be read, so nothing was saved. Reload the page and try again.")
        try:
            payload = json.loads(request.body or b"")
        except (ValueError, UnicodeDecodeError):
            return JsonResponse({"ok": False, "message": unreadable, "errors": {}, "graph_errors": []}, status=400)
        if not isinstance(payload, dict) or "graph" not in payload:
            return JsonResponse({"ok": False, "message": unreadable, "errors": {}, "graph_errors": []}, status=400)
        try:
            scheme = services.scheme_save_graph(customer=self.customer, scheme=scheme, graph=payload["graph"])
        except Scheme.DoesNotExist as missing:
            raise Http404 from missing
        except services.SchemeInvalid as invalid:
            problems = invalid.report.as_messages()
            return JsonResponse(
                {
                    "ok": False,
                    "message": _("Not saved: correct the elements marked in red."),
                    "errors": problems["nodes"],
                    "graph_errors": problems["graph"],
                },
                status=400,
            )
        return JsonResponse(
            {
                "ok": True,
                "message": _("The scheme was saved."),
                "graph": scheme.graph,
                "updated_at": timezone.localtime(scheme.updated_at).isoformat(),
            }
        )


class SchemeBindView(SchemeObjectMixin, generic.FormView):
    """ "Powiąż numer": tick the customer's numbers whose calls go to this scheme."""

    template_name = "pbx/scheme_bind.html"
    form_class = SchemeBindForm

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().post(request, *args, **kwargs)

    def get_initial(self):
        bound = selectors.scheme_bound_numbers(customer=self.customer, scheme=self.object)
        return {"numbers": list(bound.values_list("pk", flat=True))}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        restrict_form_fields(form, self.customer)
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = context["form"].rows(self.object)
        return context

    def form_valid(self, form):
        try:
            bound, unbound = services.scheme_bind_numbers(
                customer=self.customer, scheme=self.object, numbers=form.cleaned_data["numbers"]
            )
        except (Scheme.DoesNotExist, PhoneNumber.DoesNotExist):
            form.add_error("numbers", _("This number is not on your account."))
            return self.form_invalid(form)
        chosen = [format_number(number.number) for number in form.cleaned_data["numbers"]]
        if chosen:
            messages.success(
                self.request,
                _("Calls to %(numbers)s now go to the scheme %(name)s.")
                % {"numbers": ", ".join(chosen), "name": self.object.name},
            )
        else:
            messages.success(
                self.request, _("No number sends its calls to the scheme %(name)s now.") % {"name": self.object.name}
            )
        return redirect("pbx:scheme_editor", pk=self.object.pk)


class SchemeDeleteView(TenantDeleteView):
    model = Scheme
    template_name = "pbx/scheme_confirm_delete.html"
    context_object_name = "scheme"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["bound_numbers"] = [
            format_number(number.number)
            for number in selectors.scheme_bound_numbers(customer=self.customer, scheme=self.object)
        ]
        context["element_count"] = selectors.element_count(self.object)
        return context

    def form_valid(self, form):
        try:
            services.scheme_delete(customer=self.customer, scheme=self.object)
        except services.SchemeInUse:
            messages.error(self.request, _("The scheme is still bound to phone numbers, so it was not deleted."))
            return redirect("pbx:scheme_delete", pk=self.object.pk)
        messages.success(self.request, _("Scheme %(name)s was deleted.") % {"name": self.object.name})
        return redirect("pbx:schemes")


class SchemeAnnouncementUploadView(SchemeObjectMixin, generic.View):
    """POST a recording (field "file") for an announcement or IVR prompt; GET lists the customer's recordings."""

    def get(self, request, *args, **kwargs):
        scheme = self.get_object()
        objects = selectors.editor_objects(customer=self.customer, scheme=scheme)
        return JsonResponse({"announcements": objects.announcements})

    def post(self, request, *args, **kwargs):
        scheme = self.get_object()
        form = AnnouncementUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            errors = [error for errors in form.errors.values() for error in errors]
            return JsonResponse({"ok": False, "error": " ".join(errors)}, status=400)
        try:
            stored = services.announcement_upload(customer=self.customer, upload=form.cleaned_data["file"])
        except ValidationError as error:
            return JsonResponse({"ok": False, "error": " ".join(error.messages)}, status=400)
        listed = selectors.editor_objects(customer=self.customer, scheme=scheme).announcements
        item = next((entry for entry in listed if entry["path"] == stored), None) or {
            "path": stored,
            "label": _("Recording"),
            "url": reverse(
                "pbx:scheme_announcement_audio",
                kwargs={"pk": scheme.pk, "file_id": stored.rsplit("/", 1)[-1].removesuffix(".mp3")},
            ),
        }
        return JsonResponse({"ok": True, "message": _("The recording was uploaded."), **item})


class SchemeAnnouncementAudioView(SchemeObjectMixin, generic.View):
    """Streams one of the customer's recordings to the editor's player (only the customer's own files)."""

    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        self.get_object()
        file_id = kwargs["file_id"]
        if not re.fullmatch(r"[0-9a-f]{32}", file_id) or not selectors.announcement_exists(
            customer=self.customer, file_id=file_id
        ):
            raise Http404("no such recording")
        name = selectors.announcement_path(self.customer, file_id)
        response = FileResponse(default_storage.open(name, "rb"), content_type="audio/mpeg", filename=f"{file_id}.mp3")
        response["Cache-Control"] = "private, no-cache"
        return response


urlpatterns = [
    path("schemes/", SchemeListView.as_view(), name="schemes"),
    path("schemes/new/", SchemeCreateView.as_view(), name="scheme_create"),
    path("schemes/<int:pk>/", SchemeEditorView.as_view(), name="scheme_editor"),
    path("schemes/<int:pk>/rename/", SchemeRenameView.as_view(), name="scheme_rename"),
    path("schemes/<int:pk>/save/", SchemeSaveView.as_view(), name="scheme_save"),
    path("schemes/<int:pk>/bind/", SchemeBindView.as_view(), name="scheme_bind"),
    path("schemes/<int:pk>/delete/", SchemeDeleteView.as_view(), name="scheme_delete"),
    path(
        "schemes/<int:pk>/announcements/",
        SchemeAnnouncementUploadView.as_view(),
        name="scheme_announcement_upload",
    ),
    path(
        "schemes/<int:pk>/announcements/<slug:file_id>.mp3",
        SchemeAnnouncementAudioView.as_view(),
        name="scheme_announcement_audio",
    ),
]
