"""Monitorowanie połączeń: the customer's live calls with "Słuchaj" and "Szeptaj", and its monitoring history.

The list is a partial that the page polls every few seconds (htmx), so calls appear and disappear without a
reload; without JavaScript the page still works, it just shows the moment it was loaded. Starting to monitor
is a form: listen or whisper, and the supervisor's phone (an extension, an external number after its
per-minute cost is confirmed, or the browser, which needs a WebRTC phone and is not available yet).
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse_lazy
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views import generic

from billing.selectors import rate_for_number
from panel.confirmation import CONFIRM_FIELD, CostConfirmationMixin, CostLine, CostStatement
from panel.generic import CustomerRequiredMixin
from panel.refusal import Refused
from pbx.forms.monitoring import MonitorForm
from pbx.models import LiveCall, MonitorSession
from pbx.models.live import MonitorMode, MonitorStatus, MonitorTargetKind
from pbx.numbering import format_number
from pbx.selectors import monitoring as selectors
from pbx.services.monitoring import monitor_start

PAGE_URL = reverse_lazy("pbx:monitoring")
HISTORY_ON_PAGE = 10
POLL_SECONDS = 3


def _elapsed(since: datetime, now: datetime) -> str:
    seconds = max(0, int((now - since).total_seconds()))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _phone(kind: str, target: str) -> str:
    """The supervisor's phone for people: "wewn. 12" or "+48 501 000 001"."""
    if kind == MonitorTargetKind.EXTENSION:
        return _("extension %(extension)s") % {"extension": target}
    return format_number(target)


def displayed_call(call: LiveCall, now: datetime, names: dict[str, str]) -> LiveCall:
    """Attach what the templates show: numbers for people, the agent's name, how long it has been going on."""
    call.display_caller = format_number(call.caller)
    call.display_callee = format_number(call.callee)
    call.agent_name = names.get(call.extension, "")
    call.elapsed = _elapsed(call.answered_at or call.started_at, now)
    return call


def displayed_session(session: MonitorSession) -> MonitorSession:
    session.display_target = _phone(session.target_kind, session.target)
    session.display_caller = format_number(session.call_caller)
    session.display_callee = format_number(session.call_callee)
    return session


class MonitoringMixin(CustomerRequiredMixin):
    def monitoring_context(self) -> dict:
        now = timezone.now()
        available = selectors.monitoring_available(customer=self.customer, at=now)
        context = {
            "available": available,
            "service": selectors.monitoring_service(),
            "vat_rate": self.customer.vat_rate,
            "poll_seconds": POLL_SECONDS,
            "history": [
                displayed_session(session)
                for session in selectors.monitor_session_list(customer=self.customer)[:HISTORY_ON_PAGE]
            ],
        }
        if available:
            names = selectors.extension_names(customer=self.customer)
            context["calls"] = [
                displayed_call(call, now, names) for call in selectors.live_call_list(customer=self.customer, now=now)
            ]
            context["active_sessions"] = [
                displayed_session(session)
                for session in selectors.active_monitor_sessions(customer=self.customer, now=now)
            ]
        return context

    def render_never_cached(self, context: dict):
        response = self.render_to_response(context)
        add_never_cache_headers(response)
        return response


class MonitoringView(MonitoringMixin, generic.TemplateView):
    """The page: live calls (or, without the service, how to get it) and the monitoring history."""

    template_name = "pbx/monitoring.html"

    def get(self, request, *args, **kwargs):
        return self.render_never_cached(self.monitoring_context())


class MonitoringLiveView(MonitoringMixin, generic.TemplateView):
    """The polled part of the page: the live calls, the monitoring going on and the history."""

    template_name = "pbx/monitoring_live.html"

    def dispatch(self, request, *args, **kwargs):
        if request.headers.get("HX-Request") == "true" and (
            not request.user.is_authenticated or request.customer is None
        ):
            # Logged out meanwhile: reload the whole page (which goes to the log-in form) instead of
            # swapping a log-in page into the list.
            return HttpResponse(headers={"HX-Refresh": "true"})
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render_never_cached(self.monitoring_context())


class MonitorStartView(CostConfirmationMixin, CustomerRequiredMixin, generic.FormView):
    """Słuchaj / Szeptaj for one live call: choose the phone, confirm the cost of an external one, send it."""

    form_class = MonitorForm
    template_name = "pbx/monitoring_form.html"
    success_url = PAGE_URL

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated or request.customer is None:
            return super().dispatch(request, *args, **kwargs)  # CustomerRequiredMixin turns it away
        self.live_call = get_object_or_404(selectors.live_call_queryset(customer=request.customer), pk=kwargs["pk"])
        if not selectors.monitoring_available(customer=request.customer):
            messages.error(request, _("Switch on call monitoring in “Services / Offer” first."))
            return redirect(PAGE_URL)
        if not self.live_call.is_live(timezone.now()):
            messages.info(request, _("This call has already ended."))
            return redirect(PAGE_URL)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        initial = super().get_initial()
        mode = self.request.GET.get("mode")
        if mode in MonitorMode.values:
            initial["mode"] = mode
        return initial

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "customer": self.customer, "live_call": self.live_call}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        names = selectors.extension_names(customer=self.customer)
        context["call"] = displayed_call(self.live_call, timezone.now(), names)
        return context

    def form_valid(self, form):
        if form.cleaned_data["target_kind"] != MonitorTargetKind.EXTERNAL:
            return self.start(form)  # an extension costs nothing: no confirmation
        self.rate = rate_for_number(customer=self.customer, number=form.target)
        if self.rate is None:
            form.add_error(
                "external_number",
                _("Calls to %(number)s are not in your tariff. Please contact us.")
                % {"number": format_number(form.target)},
            )
            return self.form_invalid(form)
        if self.request.POST.get(CONFIRM_FIELD) == "yes":
            return self.start(form)
        return super().form_valid(form)  # the cost confirmation, or "No"

    def get_cost_statement(self, form) -> CostStatement:
        number = format_number(form.target)
        rates = [CostLine(self.rate.destination, self.rate.price_per_minute, per_minute=True)]
        if self.rate.connection_fee:
            rates.append(CostLine(_("Connection fee"), self.rate.connection_fee))
        return CostStatement(
            title=_("Cost of listening on %(number)s") % {"number": number},
            rates=rates,
            vat_rate=self.customer.vat_rate,
            notes=[
                _("Phone number: %(number)s, destination: %(destination)s.")
                % {"number": number, "destination": self.rate.destination},
                _(
                    "The PBX calls this number and keeps the line open until the monitored call ends. The call "
                    "is charged per minute by your tariff like any call to this destination."
                ),
            ],
        )

    def start(self, form):
        kind = form.cleaned_data["target_kind"]
        try:
            session = monitor_start(
                customer=self.customer,
                live_call=self.live_call,
                mode=form.cleaned_data["mode"],
                target_kind=kind,
                target=form.target,
                user=self.request.user,
            )
        except Refused as refused:
            if refused.code != Refused.INVALID:
                messages.error(self.request, refused.message)
                return redirect(PAGE_URL)
            field = {"target": "extension" if kind == MonitorTargetKind.EXTENSION else "external_number"}.get(
                refused.field, refused.field
            )
            form.add_error(field if field in form.fields else None, refused.message)
            return self.form_invalid(form)
        phone = _phone(session.target_kind, session.target)
        if session.status == MonitorStatus.ACTIVE:
            if session.mode == MonitorMode.WHISPER:
                text = _(
                    "Whispering started: %(phone)s is connected to the call. Extension %(extension)s hears you, "
                    "the other party does not."
                ) % {"phone": phone, "extension": session.agent_extension}
            else:
                text = _("Listening started: %(phone)s is connected to the call and hears both sides.") % {
                    "phone": phone
                }
            messages.success(self.request, text)
        elif session.status == MonitorStatus.NOT_ANSWERED:
            messages.warning(self.request, _("%(phone)s did not answer, so nobody is listening.") % {"phone": phone})
        else:
            messages.error(self.request, session.detail or _("The monitoring could not be started."))
        return redirect(PAGE_URL)


urlpatterns = [
    path("monitoring/", MonitoringView.as_view(), name="monitoring"),
    path("monitoring/live/", MonitoringLiveView.as_view(), name="monitoring_live"),
    path("monitoring/calls/<int:pk>/", MonitorStartView.as_view(), name="monitor_start"),
]
