"""Operators' view of the recordings: read-only (they arrive by ingestion), with the filtered total size."""

from django.contrib import admin
from django.db.models import Count, Sum
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from recordings.admin.totals import RecordingCustomerTotalsMixin
from recordings.models import Recording


@admin.register(Recording)
class RecordingAdmin(RecordingCustomerTotalsMixin, admin.ModelAdmin):
    """Recordings per customer, read-only (they arrive by ingestion); the list shows the filtered total size."""

    list_display = ("started_at", "customer", "direction", "caller", "callee", "size", "duration_seconds")
    list_filter = ("direction", "started_at", ("customer", admin.RelatedOnlyFieldListFilter))
    search_fields = ("caller", "callee", "call_id", "path", "customer__prefix", "customer__name")
    list_select_related = ("customer",)
    date_hierarchy = "started_at"
    readonly_fields = [field.name for field in Recording._meta.fields]

    @admin.display(description=_("size"), ordering="size_bytes")
    def size(self, obj):
        return filesizeformat(obj.size_bytes)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # A row deleted here would leave its file behind; deleting goes through the recordings service.
        return False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context=extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            totals = changelist.queryset.aggregate(count=Count("pk"), bytes=Sum("size_bytes"))
            response.context_data["recording_totals"] = {
                "count": totals["count"],
                "size": filesizeformat(totals["bytes"] or 0),
            }
        return response
