"""The push pages: settings with "Testuj połączenie", the server key, the history and "Wyślij ponownie"."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views import generic

from billing.models import Service
from panel.generic import CustomerRequiredMixin, TenantDetailView, TenantListView
from recordings.forms.push import PushResendForm, PushTargetForm
from recordings.models import PushRun
from recordings.push import selectors, services

HISTORY_ON_SETTINGS_PAGE = 10
CONFIRMATIONS_PER_PAGE = 50


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


class PushMixin(CustomerRequiredMixin):
    """What every push page shows: whether the service is on, the saved target, warnings."""

    def push_context(self, **extra) -> dict:
        target = selectors.push_target_get(customer=self.customer)
        return {
            "service_on": selectors.push_service_active(customer=self.customer),
            "service": Service.objects.filter(code=selectors.SERVICE_CODE).first(),
            "target": target,
            "recent_runs": selectors.push_run_list(customer=self.customer)[:HISTORY_ON_SETTINGS_PAGE],
            "push_warnings": selectors.push_warnings(customer=self.customer),
            **extra,
        }

    def service_off_redirect(self):
        messages.error(self.request, _("Switch on the recording push in “Services / Offer” first."))
        return redirect("recordings:push")


class PushSettingsView(PushMixin, generic.TemplateView):
    """GET: the settings (or, with the service off, how to switch it on); POST: save them."""

    template_name = "recordings/push_settings.html"

    def get(self, request, *args, **kwargs):
        context = self.push_context()
        context["form"] = PushTargetForm(target=context["target"])
        return self._page(context)

    def post(self, request, *args, **kwargs):
        context = self.push_context()
        if not context["service_on"]:
            return self.service_off_redirect()
        form = PushTargetForm(request.POST, target=context["target"])
        if not form.is_valid():
            context["form"] = form
            return self._page(context)
        services.push_target_save(customer=self.customer, data=form.push_settings())
        messages.success(request, _("The push settings were saved. Use “Test the connection” to check them."))
        return redirect("recordings:push")

    def _page(self, context):
        response = render(self.request, self.template_name, context)
        add_never_cache_headers(response)
        return response


class PushTestView(PushMixin, generic.View):
    """POST the form as typed: the connection test's steps (htmx: just the result, otherwise the whole page)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        context = self.push_context()
        if not context["service_on"]:
            if _is_htmx(request):
                return render(request, "recordings/push_test_result.html", {"service_off": True})
            return self.service_off_redirect()
        form = PushTargetForm(request.POST, target=context["target"])
        result = None
        if form.is_valid():
            result = services.push_connection_test(customer=self.customer, data=form.push_settings())
            context = self.push_context()  # a first SSH key may have just been remembered
        context.update(form=form, test_result=result, test_requested=True)
        template = "recordings/push_test_result.html" if _is_htmx(request) else "recordings/push_settings.html"
        response = render(request, template, context)
        add_never_cache_headers(response)
        return response


class PushHostKeyView(PushMixin, generic.View):
    """POST `action=accept` (trust the server's new key) or `action=forget` (remember the next one)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "accept" and services.push_host_key_accept(customer=self.customer):
            messages.success(request, _("The server's new key is remembered; the push continues tonight."))
        elif action == "forget" and services.push_host_key_forget(customer=self.customer):
            messages.success(request, _("The server's key was forgotten; the next connection remembers it again."))
        else:
            messages.info(request, _("Nothing to change."))
        return redirect("recordings:push")


class PushResendView(PushMixin, generic.TemplateView):
    """GET `?day=`: confirm sending a day again; POST with `confirm=yes`: queue it."""

    template_name = "recordings/push_resend.html"

    def get(self, request, *args, **kwargs):
        context = self.push_context()
        if not context["service_on"]:
            return self.service_off_redirect()
        form = PushResendForm(request.GET if "day" in request.GET else None)
        if form.is_bound:
            form.is_valid()
        return render(request, self.template_name, {**context, "form": form})

    def post(self, request, *args, **kwargs):
        context = self.push_context()
        if not context["service_on"]:
            return self.service_off_redirect()
        form = PushResendForm(request.POST)
        if not form.is_valid() or request.POST.get("confirm") != "yes":
            return render(request, self.template_name, {**context, "form": form})
        day = form.cleaned_data["day"]
        services.push_resend(customer=self.customer, day=day)
        messages.success(
            request,
            _("The recordings of %(day)s will be sent again within a few minutes.") % {"day": f"{day:%Y-%m-%d}"},
        )
        return redirect("recordings:push")


class PushHistoryView(TenantListView):
    """Every day's push, newest first; search by day (e.g. 2026-03) or error text."""

    model = PushRun
    template_name = "recordings/push_history.html"
    context_object_name = "runs"

    def get_queryset(self):
        return selectors.push_run_list(customer=self.request.customer, query=self.request.GET.get("q", ""))

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "q": self.request.GET.get("q", "")}


class PushRunDetailView(TenantDetailView):
    """One day's push: counts, errors in plain words, and the recordings confirmed on the server."""

    model = PushRun
    template_name = "recordings/push_run_detail.html"
    context_object_name = "run"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        confirmations = selectors.push_confirmation_list(customer=self.request.customer, run=self.object)
        page = Paginator(confirmations, CONFIRMATIONS_PER_PAGE).get_page(self.request.GET.get("page"))
        context.update(
            confirmations=page.object_list,
            page_obj=page,
            paginator=page.paginator,
            is_paginated=page.has_other_pages(),
            service_on=selectors.push_service_active(customer=self.request.customer),
        )
        return context
