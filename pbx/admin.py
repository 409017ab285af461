from django.contrib import admin

from pbx.models import (
    CallEvent,
    ExternalNumber,
    LiveCall,
    MonitorSession,
    PhoneNumber,
    Queue,
    QueueAgent,
    Scheme,
    SipAccount,
)

CUSTOMER_SEARCH = ("customer__name", "customer__prefix")


@admin.register(SipAccount)
class SipAccountAdmin(admin.ModelAdmin):
    list_display = ("extension", "name", "customer", "account_type", "voicemail_enabled", "is_active", "created_at")
    list_filter = ("account_type", "voicemail_enabled", "is_active", "customer__package")
    search_fields = ("extension", "name", *CUSTOMER_SEARCH)
    list_select_related = ("customer",)
    autocomplete_fields = ("customer",)
    raw_id_fields = (
        "caller_id",
        "fwd_no_answer_sip",
        "fwd_no_answer_external",
        "fwd_busy_sip",
        "fwd_busy_external",
        "fwd_unavailable_sip",
        "fwd_unavailable_external",
    )


@admin.register(ExternalNumber)
class ExternalNumberAdmin(admin.ModelAdmin):
    list_display = ("number", "description", "short_code", "presentation", "customer")
    list_filter = ("presentation", "customer__package")
    search_fields = ("number", "description", "short_code", *CUSTOMER_SEARCH)
    list_select_related = ("customer",)
    autocomplete_fields = ("customer",)


@admin.register(PhoneNumber)
class PhoneNumberAdmin(admin.ModelAdmin):
    list_display = ("number", "area", "description", "route_kind", "customer")
    list_filter = ("route_kind", "customer__package")
    search_fields = ("number", "area", "description", *CUSTOMER_SEARCH)
    list_select_related = ("customer",)
    autocomplete_fields = ("customer",)
    raw_id_fields = ("route_sip", "route_external", "route_queue")


class QueueAgentInline(admin.TabularInline):
    model = QueueAgent
    extra = 0
    fields = ("position", "sip", "external", "is_dynamic", "logged_in_at")
    raw_id_fields = ("sip", "external")
    ordering = ("is_dynamic", "position", "pk")


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "number",
        "customer",
        "strategy",
        "agent_ring_time",
        "max_wait",
        "timeout_action",
        "announce_position",
        "greeting",
    )
    list_filter = ("strategy", "timeout_action", "greeting", "customer__package")
    search_fields = ("name", "number", *CUSTOMER_SEARCH)
    list_select_related = ("customer",)
    autocomplete_fields = ("customer",)
    raw_id_fields = ("timeout_sip",)
    inlines = (QueueAgentInline,)


@admin.register(QueueAgent)
class QueueAgentAdmin(admin.ModelAdmin):
    list_display = ("queue", "position", "sip", "external", "is_dynamic", "logged_in_at")
    list_filter = ("is_dynamic", "queue__strategy", "queue__customer__package")
    search_fields = (
        "queue__name",
        "queue__number",
        "sip__extension",
        "sip__name",
        "external__number",
        "queue__customer__name",
        "queue__customer__prefix",
    )
    list_select_related = ("queue__customer", "sip", "external")
    raw_id_fields = ("queue", "sip", "external")


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = ("name", "customer", "updated_at")
    search_fields = ("name", *CUSTOMER_SEARCH)
    list_filter = ("updated_at",)
    list_select_related = ("customer",)
    autocomplete_fields = ("customer",)


# --- Voicemail messages and the SMS outbox (read-only for operators: the PBX and the panel write them) -------------

from django.utils.translation import gettext_lazy as _  # noqa: E402

from panel.admin import ReadOnlyAdmin  # noqa: E402
from pbx.models import OutgoingSms, VoicemailMessage  # noqa: E402


@admin.register(VoicemailMessage)
class VoicemailMessageAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "sip_account", "caller", "duration_seconds", "heard", "emailed_at", "customer")
    list_filter = ("heard", "received_at")
    search_fields = (
        "caller",
        "message_id",
        "sip_account__extension",
        "sip_account__customer__name",
        "sip_account__customer__prefix",
    )
    list_select_related = ("sip_account__customer",)
    date_hierarchy = "received_at"

    @admin.display(description=_("customer"), ordering="sip_account__customer__prefix")
    def customer(self, obj):
        return obj.sip_account.customer


@admin.register(OutgoingSms)
class OutgoingSmsAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "customer", "sender", "to", "text", "purpose", "status", "error")
    list_filter = ("status", "purpose", "created_at")
    search_fields = ("to", "sender", "text", "key", *CUSTOMER_SEARCH)
    list_select_related = ("customer",)
    date_hierarchy = "created_at"


@admin.register(LiveCall)
class LiveCallAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "call_id", "customer", "direction", "caller", "callee", "extension", "state")
    list_filter = ("state", "direction", "started_at")
    search_fields = ("call_id", "caller", "callee", "extension", *CUSTOMER_SEARCH)
    list_select_related = ("customer",)
    date_hierarchy = "started_at"


@admin.register(CallEvent)
class CallEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "event_id", "call_id", "kind", "customer", "received_at")
    list_filter = ("kind", "at")
    search_fields = ("event_id", "call_id", *CUSTOMER_SEARCH)
    list_select_related = ("customer",)
    date_hierarchy = "at"


@admin.register(MonitorSession)
class MonitorSessionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "customer", "call_id", "mode", "target_kind", "target", "status", "requested_by")
    list_filter = ("status", "mode", "target_kind", "created_at")
    search_fields = ("call_id", "target", "monitor_call_id", *CUSTOMER_SEARCH)
    list_select_related = ("customer", "requested_by")
    date_hierarchy = "created_at"
