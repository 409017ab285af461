"""Operators' view of recordings per customer: count, total size, oldest and newest, and the retention in force.

Mixed into RecordingAdmin: a page at admin/recordings/recording/customers/ and
an action on the recordings list that opens it for the selected recordings'
customers.
"""

from __future__ import annotations

from django.contrib.admin import action as admin_action
from django.db.models import Count, Max, Min, Sum
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from recordings import retention
from recordings.models import Recording


class RecordingCustomerTotalsMixin:
    """Adds the per-customer totals page and the action leading to it."""

    actions = ["show_customer_totals"]

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        totals = path(
            "customers/",
            self.admin_site.admin_view(self.customer_totals_view),
            name="{}_{}_customer_totals".format(*info),
        )
        return [totals, *super().get_urls()]

    @staticmethod
    def customer_totals_rows(customer_ids: list[int] | None = None) -> list[dict]:
        recordings = Recording.objects.all()
        if customer_ids:
            recordings = recordings.filter(customer_id__in=customer_ids)
        rows = list(
            recordings.values("customer_id", "customer__prefix", "customer__name")
            .annotate(count=Count("pk"), size=Sum("size_bytes"), oldest=Min("started_at"), newest=Max("started_at"))
            .order_by("-size", "customer__prefix")
        )
        quantities = retention.extension_quantities(at=timezone.now())
        for row in rows:
            row["retention_days"] = retention.days_for_quantity(quantities.get(row["customer_id"], 0))
        return rows

    def customer_totals_view(self, request):
        raw = request.GET.get("customer__id__in", "")
        customer_ids = [int(value) for value in raw.split(",") if value.strip().isdigit()]
        rows = self.customer_totals_rows(customer_ids or None)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Recordings per customer"),
            "opts": self.model._meta,
            "rows": rows,
            "total_count": sum(row["count"] for row in rows),
            "total_size": sum(row["size"] or 0 for row in rows),
            "changelist_url": reverse(f"{self.admin_site.name}:recordings_recording_changelist"),
            "filtered": bool(customer_ids),
        }
        return TemplateResponse(request, "admin/recordings/recording/customer_totals.html", context)

    @admin_action(description=_("Show the size totals of these recordings' customers"))
    def show_customer_totals(self, request, queryset):
        ids = sorted(set(queryset.values_list("customer_id", flat=True)))
        url = reverse(f"{self.admin_site.name}:recordings_recording_customer_totals")
        return HttpResponseRedirect(f"{url}?customer__id__in={','.join(map(str, ids))}")
