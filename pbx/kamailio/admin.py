"""Read-only views for operators: who is registered right now, and what the monitoring found."""

from django.contrib import admin

from pbx.kamailio.models import Location, SipHealth


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Kamailio keeps registrations in memory too (usrloc write-through): deleting a row would not unregister.
        return False


@admin.register(Location)
class LocationAdmin(ReadOnlyAdmin):
    list_display = ("username", "contact", "received", "user_agent", "last_modified", "expires")
    search_fields = ("username", "contact", "received", "user_agent")
    ordering = ("username", "id")


@admin.register(SipHealth)
class SipHealthAdmin(ReadOnlyAdmin):
    list_display = ("sip_account", "customer", "state", "detail", "checked_at", "failing_since", "alert_sent_at")
    list_filter = ("state",)
    search_fields = ("sip_account__extension", "customer__prefix", "customer__name")
    list_select_related = ("sip_account", "customer")
