"""Queue statistics pages: tables and charts in the panel, the same as a PDF made on the server."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import generic

from billing.history.forms import this_month
from panel.generic import CustomerRequiredMixin, restrict_form_fields
from pbx.stats.forms import QueueStatsForm
from pbx.stats.pdf import queue_statistics_pdf, queue_statistics_pdf_name
from pbx.stats.selectors import queue_statistics


def form_data(query) -> dict[str, str]:
    first, last = this_month()
    data = {name: query.get(name, "").strip() for name in QueueStatsForm.FIELDS if query.get(name, "").strip()}
    data.setdefault("date_from", first.isoformat())
    data.setdefault("date_to", last.isoformat())
    return data


class QueueStatsMixin(CustomerRequiredMixin):
    def get_form(self) -> QueueStatsForm:
        form = QueueStatsForm(form_data(self.request.GET))
        restrict_form_fields(form, self.customer)
        return form

    def get_statistics(self, form: QueueStatsForm):
        start, end = form.period
        return queue_statistics(customer=self.customer, start=start, end=end, queue_number=form.queue_number)


class QueueStatsView(QueueStatsMixin, generic.TemplateView):
    """ "Statystyki z kolejek": per queue, per day and per agent, with charts and a PDF export."""

    template_name = "pbx/queue_stats.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.get_form()
        context["form"] = form
        if not form.is_valid():
            context["invalid"] = True
            return context
        stats = self.get_statistics(form)
        context["stats"] = stats
        context["chart_data"] = stats.chart_data()
        context["pdf_url"] = reverse("queue_stats:pdf") + "?" + urlencode(form.data)
        return context


class QueueStatsPdfView(QueueStatsMixin, generic.View):
    """The same statistics as a PDF file (tables and charts drawn on the server)."""

    def get(self, request, *args, **kwargs):
        form = self.get_form()
        if not form.is_valid():
            messages.error(request, _("Correct the choices before exporting."))
            return redirect(reverse("queue_stats:index") + "?" + urlencode(form.data))
        stats = self.get_statistics(form)
        queue = form.cleaned_data.get("queue")
        content = queue_statistics_pdf(stats=stats, customer=self.customer, queue=queue)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{queue_statistics_pdf_name(stats)}"'
        return response
