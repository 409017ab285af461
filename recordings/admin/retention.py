"""Operators' view of the retention runs: what each night deleted per customer (read-only)."""

from django.contrib import admin

from recordings.models import RetentionLog


@admin.register(RetentionLog)
class RetentionLogAdmin(admin.ModelAdmin):
    list_display = ("run_started_at", "customer", "deleted_count", "deleted_bytes", "cutoff", "finished_at")
    list_filter = ("run_started_at",)
    search_fields = ("customer__prefix", "customer__name")
    list_select_related = ("customer",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
