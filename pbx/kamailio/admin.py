"""Read-only views for operators: who is registered right now, and what the monitoring found."""

from django.contrib import admin

from panel.admin import ReadOnlyAdmin
from pbx.kamailio.models import Location, SipHealth


@admin.register(Location)
class LocationAdmin(ReadOnlyAdmin):
    # Read-only: Kamailio keeps registrations in memory too (usrloc write-through), so deleting a row would not
    # unregister the phone.
    list_display = ("username", "contact", "received", "user_agent", "last_modified", "expires")
    search_fields = ("username", "contact", "received", "user_agent")
    ordering = ("username", "id")


@admin.register(SipHealth)
class SipHealthAdmin(ReadOnlyAdmin):
    list_display = ("sip_account", "customer", "state", "detail", "checked_at", "failing_since", "alert_sent_at")
    list_filter = ("state",)
    search_fields = ("sip_account__extension", "customer__prefix", "customer__name")
    list_select_related = ("sip_account", "customer")
