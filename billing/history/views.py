"""Call history pages: the filtered list with keyset pages and totals, and the CSV export of the whole set."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import generic

from billing.history import selectors
from billing.history.export import call_history_csv_response, minutes_seconds
from billing.history.forms import HistoryFilterForm, Sort, this_month
from panel.generic import CustomerRequiredMixin

SESSION_KEY = "billing.history.filters"
PAGING_PARAMETERS = ("after", "before", "totals")


def has_filter_parameters(query) -> bool:
    return any(name in query for name in HistoryFilterForm.FIELDS)


def filter_data(query) -> dict[str, str]:
    """The filter fields of a query string, with this month filled in for missing dates."""
    first, last = this_month()
    data = {name: query.get(name, "").strip() for name in HistoryFilterForm.FIELDS if query.get(name, "").strip()}
    data.setdefault("date_from", first.isoformat())
    data.setdefault("date_to", last.isoformat())
    return data


def remembered(data: dict[str, str]) -> dict[str, str]:
    """What to remember of valid filters: all but the dates when they are just "this month" (so it moves on)."""
    first, last = this_month()
    kept = dict(data)
    if kept.get("date_from") == first.isoformat() and kept.get("date_to") == last.isoformat():
        kept.pop("date_from")
        kept.pop("date_to")
    return kept


def query_string(data: dict[str, str], **extra) -> str:
    return "?" + urlencode({**data, **{key: value for key, value in extra.items() if value}})


def build_form(request) -> HistoryFilterForm:
    return HistoryFilterForm(filter_data(request.GET))


class CallHistoryView(CustomerRequiredMixin, generic.TemplateView):
    """ "Historia (billing) połączeń": the customer's calls, filtered, newest first, 25 per keyset page."""

    template_name = "billing/history.html"

    def get(self, request, *args, **kwargs):
        if "reset" in request.GET:
            request.session.pop(SESSION_KEY, None)
            return redirect("billing:call_history")
        saved = request.session.get(SESSION_KEY)
        if saved and not has_filter_parameters(request.GET):
            return redirect(reverse("billing:call_history") + query_string(saved))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.request
        form = build_form(request)
        context["form"] = form
        context["remembered"] = bool(request.session.get(SESSION_KEY))
        context["extensions"] = self.extension_numbers()
        if not form.is_valid():
            context["invalid"] = True
            return context
        data = {name: value for name, value in form.data.items() if value}
        if has_filter_parameters(request.GET) and request.session.get(SESSION_KEY) != remembered(data):
            request.session[SESSION_KEY] = remembered(data)
        filters = form.filters()
        page = selectors.call_history_page(
            customer=self.customer,
            filters=filters,
            after=request.GET.get("after"),
            before=request.GET.get("before"),
        )
        for row in page.rows:
            row.talk_time = minutes_seconds(row.talk_seconds)
            row.recording = page.recordings.get(row.call_id)
        context["page"] = page
        context["filters"] = filters
        if selectors.totals_on_every_view(filters) or request.GET.get("totals") == "1":
            context["totals"] = selectors.call_history_totals(customer=self.customer, filters=filters)
        context["totals_url"] = query_string(data, totals="1")
        context["next_url"] = query_string(data, after=page.next_cursor) if page.next_cursor else None
        context["previous_url"] = query_string(data, before=page.previous_cursor) if page.previous_cursor else None
        context["first_url"] = query_string(data) if page.previous_cursor else None
        context["export_url"] = reverse("billing:call_history_export") + query_string(data)
        context["sort_urls"] = {
            "date": query_string({**data, "sort": Sort.DATE_ASC if filters.sort == Sort.DATE_DESC else Sort.DATE_DESC}),
            "cost": query_string({**data, "sort": Sort.COST_ASC if filters.sort == Sort.COST_DESC else Sort.COST_DESC}),
        }
        context["max_exact_days"] = selectors.EXACT_TOTALS_MAX_DAYS
        return context

    def extension_numbers(self) -> list[str]:
        from pbx.models import SipAccount

        return list(
            SipAccount.objects.for_customer(self.customer).order_by("extension").values_list("extension", flat=True)
        )


class CallHistoryExportView(CustomerRequiredMixin, generic.View):
    """The whole filtered set (never just one page) as a CSV file; bad filters go back to the page's form."""

    def get(self, request, *args, **kwargs):
        form = build_form(request)
        if not form.is_valid():
            messages.error(request, _("Correct the filters before exporting."))
            data = {name: request.GET.get(name, "") for name in HistoryFilterForm.FIELDS if request.GET.get(name)}
            return redirect(reverse("billing:call_history") + query_string(data))
        return call_history_csv_response(customer=self.customer, filters=form.filters())
