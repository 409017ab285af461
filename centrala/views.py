"""The dashboard: the customer's start page, with counts, warnings and live figures from every app."""

from django.views import generic

from centrala import selectors
from panel.generic import CustomerRequiredMixin
from pbx.kamailio import selectors as kamailio_selectors
from recordings.push import selectors as push_selectors


class DashboardView(CustomerRequiredMixin, generic.TemplateView):
    template_name = "centrala/dashboard.html"

    def get_template_names(self):
        if self.request.headers.get("HX-Request") == "true":
            return ["centrala/_live_now.html"]  # the "now" cards, refreshed every few seconds
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["live"] = selectors.live_now(customer=self.customer)
        if self.request.headers.get("HX-Request") == "true":
            return context
        context["counts"] = selectors.dashboard_counts(customer=self.customer)
        context["push_warnings"] = push_selectors.push_warnings(customer=self.customer)
        context["sip_health_warnings"] = kamailio_selectors.health_warnings(customer=self.customer)
        return context
