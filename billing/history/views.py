"""Call history pages: the filtered list with keyset pages and totals, and the CSV export of the whole set."""

from __future__ import annotations

import functools
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import generic

from billing import registry
from billing.choices import CallDirection, Disposition, RatingStatus
from billing.history import selectors
from billing.history.export import call_history_csv_response, minutes_seconds
from billing.history.forms import HistoryFilterForm, Sort, this_month
from panel.generic import CustomerRequiredMixin
from panel.templatetags.panel_tags import money

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


DIRECTION_ICONS = {
    CallDirection.INBOUND: "bi-telephone-inbound text-primary",
    CallDirection.OUTBOUND: "bi-telephone-outbound text-success",
}
OTHER_DIRECTION_ICON = "bi-arrow-left-right text-secondary"


def present_rows(page: selectors.HistoryPage) -> None:
    """Give each row of the page the texts its table row shows, made here once per distinct value.

    The table is most of the page's rendering time; template filters and
    `get_…_display` per cell cost several times more than these look-ups.
    """
    directions = dict(CallDirection.choices)
    dispositions = dict(Disposition.choices)
    statuses = dict(RatingStatus.choices)
    amounts: dict = {}
    zone = timezone.get_current_timezone()
    for row in page.rows:
        row.talk_time = minutes_seconds(row.talk_seconds)
        row.recording = page.recordings.get(row.call_id)
        local = row.started_at.astimezone(zone)
        row.start_text = (
            f"{local.day:02d}.{local.month:02d}.{local.year:04d} {local.hour:02d}:{local.minute:02d}:{local.second:02d}"
        )
        row.direction_icon = DIRECTION_ICONS.get(row.direction, OTHER_DIRECTION_ICON)
        row.direction_label = directions.get(row.direction, row.direction)
        row.disposition_label = dispositions.get(row.disposition, row.disposition)
        row.status_label = statuses.get(row.rating_status, row.rating_status)
        row.cost_net_text = _money_text(amounts, row.cost_net)
        row.cost_gross_text = _money_text(amounts, row.cost_gross)


def _money_text(known: dict, amount) -> str:
    """The `money` filter's text of `amount`, remembered in `known` (many calls cost the same)."""
    text = known.get(amount)
    if text is None:
        text = known[amount] = money(amount)
    return text


def render_filter_fields(form: HistoryFilterForm) -> str:
    """The filter form's fields as HTML (labels, widgets, help, errors)."""
    return render_to_string("billing/history_filter_fields.html", {"form": form})


@functools.lru_cache(maxsize=512)
def valid_filter_fields(language: str, data: tuple[tuple[str, str], ...]) -> str:
    """`render_filter_fields` of a valid form with these values, made once per language and values.

    The widgets are a third of the page's rendering time, and a user pages
    through the same filters; a form with errors is rendered each time.
    """
    form = HistoryFilterForm(dict(data))
    form.is_valid()
    return render_filter_fields(form)


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
            context["filter_fields"] = render_filter_fields(form)
            context["invalid"] = True
            return context
        data = {name: value for name, value in form.data.items() if value}
        context["filter_fields"] = valid_filter_fields(get_language(), tuple(sorted(form.data.items())))
        if has_filter_parameters(request.GET) and request.session.get(SESSION_KEY) != remembered(data):
            request.session[SESSION_KEY] = remembered(data)
        filters = form.filters()
        page = selectors.call_history_page(
            customer=self.customer,
            filters=filters,
            after=request.GET.get("after"),
            before=request.GET.get("before"),
        )
        present_rows(page)
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
        return registry.extension_numbers(customer=self.customer)


class CallHistoryExportView(CustomerRequiredMixin, generic.View):
    """The whole filtered set (never just one page) as a CSV file; bad filters go back to the page's form."""

    def get(self, request, *args, **kwargs):
        form = build_form(request)
        if not form.is_valid():
            messages.error(request, _("Correct the filters before exporting."))
            data = {name: request.GET.get(name, "") for name in HistoryFilterForm.FIELDS if request.GET.get(name)}
            return redirect(reverse("billing:call_history") + query_string(data))
        return call_history_csv_response(customer=self.customer, filters=form.filters())
