"""The customer's recordings page: the last 30 days (play, download, delete, ZIP) and the total retention.

Every view reads through `request.customer`: a recording of another customer,
one older than 30 days (FTP only) and one that does not exist all answer the
same 404, on every request of a stream (each Range request is checked anew).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import django_rq
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import generic
from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job

from billing import selectors as billing_selectors
from billing.services import next_month_start
from panel.confirmation import CostConfirmationMixin, CostLine, CostStatement
from panel.forms import client_ip
from panel.generic import CustomerRequiredMixin
from panel.money import gross_amount
from panel.templatetags.panel_tags import money
from pbx.audio import format_duration
from recordings import retention, selectors, services, zipper
from recordings.forms.recordings import RecordingFilterForm, RetentionForm, retention_label
from recordings.storage import UnsafePath, get_storage
from recordings.streaming import stored_file_response

logger = logging.getLogger("recordings.panel")

SESSION_EXPORTS = "recordings_exports"
MAX_TRACKED_EXPORTS = 5


# --- the list


class RecordingListView(CustomerRequiredMixin, generic.ListView):
    """Recordings of the last 30 days with filters, pagination, players, ZIP downloads and the retention section."""

    template_name = "recordings/panel_list.html"
    context_object_name = "recordings"
    paginate_by = 25

    def get_queryset(self):
        self.now = timezone.now()
        self.filter_form = RecordingFilterForm(self.request.GET or None)
        self.filters = self.filter_form.filters()
        return selectors.recording_panel_list(customer=self.customer, filters=self.filters, now=self.now)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        count, size = selectors.recording_totals(recordings=self.object_list)
        page = list(context["recordings"])
        for recording in page:
            recording.duration_display = format_duration(float(recording.duration_seconds))
        context.update(
            recordings=page,
            filter_form=self.filter_form,
            filters=self.filters,
            filtered_count=count,
            filtered_size=size,
            zip_streams=zipper.small_enough_to_stream(count=count, total_bytes=size),
            window_start=retention.panel_window_start(self.now),
            panel_days=retention.PANEL_DAYS,
            **export_context(self.request, self.customer),
            **retention_context(self.customer, now=self.now),
        )
        return context


# --- play, download, delete


class RecordingObjectMixin(CustomerRequiredMixin):
    def get_recording(self):
        recording = selectors.recording_panel_get(customer=self.customer, pk=self.kwargs["pk"])
        if recording is None:
            raise Http404
        return recording


class RecordingPlayView(RecordingObjectMixin, generic.View):
    """The MP3 for the page's player (inline), with Range support so the player can seek."""

    http_method_names = ["get", "head"]
    as_attachment = False

    def get(self, request, *args, **kwargs):
        recording = self.get_recording()
        return stored_file_response(
            request,
            storage=get_storage(),
            path=recording.path,
            file_name=recording.file_name,
            as_attachment=self.as_attachment,
            etag=recording.sha256,
        )


class RecordingDownloadView(RecordingPlayView):
    """The MP3 as a download (resumable: Range supported)."""

    as_attachment = True


class RecordingDeleteView(RecordingObjectMixin, generic.TemplateView):
    """GET: what will be deleted; POST: delete the file (gone from FTP too) and the row."""

    template_name = "recordings/panel_confirm_delete.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "recording": self.get_recording()}

    def post(self, request, *args, **kwargs):
        recording = self.get_recording()
        services.recording_delete(
            customer=self.customer, recording=recording, by=request.user.get_username(), ip=client_ip(request)
        )
        messages.success(request, _("The recording %(name)s was deleted.") % {"name": recording.file_name})
        return redirect("recordings:list")


# --- ZIP: streamed for small sets, built by a job for large ones


def _zip_download_name(filters: selectors.RecordingFilters, now: datetime) -> str:
    if filters.date_from and filters.date_from == filters.date_to:
        stamp = filters.date_from.isoformat()
    else:
        stamp = timezone.localtime(now).strftime("%Y-%m-%d_%H-%M")
    return f"{slugify(_('recordings'))}_{stamp}.zip"


class RecordingZipView(CustomerRequiredMixin, generic.View):
    """POST the list's filters (or a `day`): the recordings as one ZIP, now or from a background job."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = RecordingFilterForm(request.POST)
        back = reverse("recordings:list")
        if not form.is_valid():
            messages.error(request, _("Correct the filters first: %(errors)s") % {"errors": _errors_text(form)})
            return redirect(back)
        now = timezone.now()
        filters = form.filters()
        recordings = selectors.recording_panel_list(customer=self.customer, filters=filters, now=now)
        count, size = selectors.recording_totals(recordings=recordings)
        if count == 0:
            messages.info(request, _("No recordings match these filters: there is nothing to download."))
            return redirect(back)
        if zipper.small_enough_to_stream(count=count, total_bytes=size):
            rows = list(recordings.order_by("started_at", "pk").values_list("path", "started_at"))
            response = StreamingHttpResponse(
                zipper.stream_zip(get_storage(), list(zipper.members_of(rows))),
                content_type="application/zip",
            )
            response["Content-Disposition"] = content_disposition_header(True, _zip_download_name(filters, now))
            response["Cache-Control"] = "private, no-store"
            return response
        try:
            job_id, file_name = services.recording_export_start(
                customer=self.customer,
                filters={**filters.as_dict(), "requested_at": now.isoformat()},
                requested_by=request.user.get_username(),
            )
        except RedisError:
            logger.exception("could not start a ZIP export for %s", self.customer.prefix)
            messages.error(
                request,
                _("The ZIP cannot be prepared right now. Try again in a few minutes, or download over FTP."),
            )
            return redirect(back)
        tracked = [item for item in request.session.get(SESSION_EXPORTS, []) if item.get("job") != job_id]
        tracked.insert(0, {"job": job_id, "file": file_name, "count": count, "size": size})
        request.session[SESSION_EXPORTS] = tracked[:MAX_TRACKED_EXPORTS]
        messages.info(
            request,
            ngettext(
                "%(count)d recording is being packed into a ZIP. It appears below for download when it is ready.",
                "%(count)d recordings are being packed into a ZIP. It appears below for download when it is ready.",
                count,
            )
            % {"count": count},
        )
        return redirect(f"{back}#recording-exports")


def _errors_text(form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


@dataclass(frozen=True)
class ExportRow:
    """A ZIP being built (from RQ) or ready (in the storage), as the page lists it."""

    file: str
    state: str  # queued, running, ready, failed
    done: int = 0
    total: int = 0
    size: int = 0
    created: datetime | None = None

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0


def export_context(request, customer) -> dict:
    """The customer's ZIPs: those being built (tracked in this session) and the ready ones (in the storage)."""
    storage = get_storage()
    ready = {
        entry.name: ExportRow(
            file=entry.name,
            state="ready",
            size=entry.size,
            created=datetime.fromtimestamp(entry.modified, tz=timezone.get_current_timezone()),
        )
        for entry in zipper.export_list(storage, customer.prefix)
    }
    pending: list[ExportRow] = []
    still_tracked = []
    for item in request.session.get(SESSION_EXPORTS, []):
        if item.get("file") in ready:
            continue
        row = _job_row(item)
        if row is not None:
            pending.append(row)
            still_tracked.append(item)
    if still_tracked != request.session.get(SESSION_EXPORTS, []):
        request.session[SESSION_EXPORTS] = still_tracked
    running = any(row.state in ("queued", "running") for row in pending)
    return {"exports_pending": pending, "exports_ready": list(ready.values()), "exports_running": running}


def _job_row(item: dict) -> ExportRow | None:
    try:
        job = Job.fetch(item["job"], connection=django_rq.get_connection("low"))
        status = job.get_status()
    except NoSuchJobError:
        return None
    except RedisError:
        return ExportRow(file=item["file"], state="queued", total=item.get("count") or 0)
    meta = job.get_meta() or {}
    if status in ("failed", "stopped", "canceled"):
        state = "failed"
    elif status == "finished":
        return None  # its file is listed as ready (or was deleted after a day)
    elif status == "started":
        state = "running"
    else:
        state = "queued"
    return ExportRow(
        file=item["file"], state=state, done=meta.get("done") or 0, total=meta.get("total") or item.get("count") or 0
    )


class ExportStatusView(CustomerRequiredMixin, generic.View):
    """The ZIP section alone, for htmx to refresh while a ZIP is being built."""

    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        return render(request, "recordings/panel_exports.html", export_context(request, self.customer))


class ExportDownloadView(CustomerRequiredMixin, generic.View):
    """A ready ZIP of the requesting customer (looked up in its own exports folder only)."""

    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        try:
            path = zipper.export_path(self.customer.prefix, kwargs["name"])
        except UnsafePath as error:
            raise Http404 from error
        return stored_file_response(
            request,
            storage=get_storage(),
            path=path,
            file_name=kwargs["name"].replace("recordings_", f"{slugify(_('recordings'))}_", 1),
            as_attachment=True,
            content_type="application/zip",
        )


# --- retention


@dataclass(frozen=True)
class RetentionOption:
    """One choice of the total retention with what it costs per month and what it would delete."""

    days: int
    label: str
    monthly_net: Decimal
    monthly_gross: Decimal
    warning: str
    selected: bool


def _recording_monthly_fee(customer) -> Decimal:
    """What the customer pays monthly for recording itself (0 when its package includes it)."""
    offer = next(
        (item for item in billing_selectors.service_offers(customer=customer) if item.service.code == "recording"),
        None,
    )
    if offer is None or offer.included or offer.subscription is None:
        return Decimal("0.00")
    return offer.service.period_fee * offer.subscription.quantity


def deletion_warning(*, count: int, on: datetime) -> str:
    day = formats.date_format(timezone.localtime(on), "DATE_FORMAT")
    if count == 0:
        return _("No recording is deleted early by this change; the shorter retention applies from %(date)s.") % {
            "date": day
        }
    return ngettext(
        "%(count)d recording will be deleted on %(date)s.",
        "%(count)d recordings will be deleted on %(date)s.",
        count,
    ) % {"count": count, "date": day}


def retention_context(customer, *, now: datetime | None = None, selected: int | None = None) -> dict:
    now = now or timezone.now()
    state = retention.retention_state(customer=customer, now=now)
    service = retention.extension_service()
    fee = service.period_fee if service is not None else Decimal("0.00")
    recording_fee = _recording_monthly_fee(customer)
    takes_effect_at = next_month_start(now)
    forecasts = retention.deletion_forecasts(customer=customer, at=takes_effect_at, old_days=state.effective_days)
    selected = selected or state.scheduled_days
    options = []
    for days in retention.allowed_days():
        net = recording_fee + fee * retention.quantity_for_days(days)
        options.append(
            RetentionOption(
                days=days,
                label=retention_label(days),
                monthly_net=net,
                monthly_gross=gross_amount(net, customer.vat_rate),
                warning=deletion_warning(count=forecasts[days], on=takes_effect_at) if days in forecasts else "",
                selected=days == selected,
            )
        )
    chosen = next((option for option in options if option.selected), options[0])
    blocked = ""
    if not billing_selectors.service_active(customer=customer, code="recording", at=now):
        blocked = _("Call recording is off. Switch it on in Services / Offer to keep recordings longer.")
    return {
        "retention_state": state,
        "retention_options": options,
        "retention_chosen": chosen,
        "retention_current_label": retention_label(state.effective_days),
        "retention_scheduled_label": retention_label(state.scheduled_days),
        "retention_blocked": blocked,
        "retention_step_fee": fee,
    }


class RetentionChangeView(CustomerRequiredMixin, CostConfirmationMixin, generic.FormView):
    """Choose the total retention; longer applies at once, shorter at the end of the month, both after consent."""

    form_class = RetentionForm
    template_name = "recordings/panel_retention.html"
    confirmation_template_name = "recordings/panel_retention_confirm.html"

    def get_success_url(self):
        return reverse("recordings:list") + "#retention"

    def get_initial(self):
        state = retention.retention_state(customer=self.customer)
        return {"total_days": state.scheduled_days}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context.get("form")
        selected = None
        if form is not None and form.is_bound and form.is_valid():
            selected = form.cleaned_data["total_days"]
        context.update(retention_context(self.customer, selected=selected))
        plan = getattr(self, "plan", None)
        context["plan"] = plan
        if plan is not None and plan.kind == retention.ChangeKind.SHORTEN:
            context["plan_warning"] = deletion_warning(count=plan.deleted_count, on=plan.takes_effect_at)
        return context

    def form_valid(self, form):
        self.plan = retention.retention_change_plan(customer=self.customer, total_days=form.cleaned_data["total_days"])
        if self.plan.kind == retention.ChangeKind.NONE:
            messages.info(self.request, _("The retention stays as it is: nothing was changed or charged."))
            return redirect(self.get_success_url())
        if self.plan.blocked_reason:
            form.add_error("total_days", self.plan.blocked_reason)
            return self.form_invalid(form)
        if self.request.POST.get("confirm") == "yes":
            return self.carry_out(form)
        return super().form_valid(form)

    def carry_out(self, form):
        try:
            plan = services.retention_change(
                customer=self.customer, total_days=form.cleaned_data["total_days"], user=self.request.user
            )
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return redirect(self.get_success_url())
        label = retention_label(plan.new_days)
        if plan.kind == retention.ChangeKind.SHORTEN:
            day = formats.date_format(timezone.localtime(plan.takes_effect_at), "DATE_FORMAT")
            messages.success(
                self.request,
                _("From %(date)s recordings are kept for %(label)s. Until then the current retention applies.")
                % {"date": day, "label": label},
            )
        else:
            messages.success(self.request, _("Recordings are now kept for %(label)s.") % {"label": label})
        return redirect(self.get_success_url())

    def get_cost_statement(self, form) -> CostStatement:
        plan = self.plan
        service = retention.extension_service()
        recording_fee = _recording_monthly_fee(self.customer)
        label = retention_label(plan.new_days)
        if plan.kind == retention.ChangeKind.EXTEND:
            notes = [
                _(
                    "Charged now for the rest of this month: %(amount)s zł net (the new fee for the rest of the "
                    "month, less what was paid for the current retention). Then the monthly fee each month."
                )
                % {"amount": money(plan.charge_now_net)},
                _("Extending the retention does not bring back recordings that were already deleted."),
            ]
            monthly_label = _("Monthly fee for the longer retention")
        else:
            day = formats.date_format(timezone.localtime(plan.takes_effect_at), "DATE_FORMAT")
            notes = [
                _("Nothing is charged now: the current retention, paid for this month, applies until %(date)s.")
                % {"date": day},
            ]
            monthly_label = _("Monthly fee for the longer retention from %(date)s") % {"date": day}
        return CostStatement(
            title=_("Total retention time: %(label)s") % {"label": label},
            activation=service.activation_fee if plan.kind == retention.ChangeKind.EXTEND else Decimal("0.00"),
            monthly=plan.monthly_net,
            rates=[CostLine(_("Total monthly fee for recording and retention"), recording_fee + plan.monthly_net)],
            notes=notes,
            vat_rate=self.customer.vat_rate,
            monthly_label=monthly_label,
        )
