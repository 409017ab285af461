from django.contrib import admin

from pbx.models import ExternalNumber, PhoneNumber, Queue, SipAccount

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


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = ("name", "number", "customer")
    search_fields = ("name", "number", *CUSTOMER_SEARCH)
    list_select_related = ("customer",)
    autocomplete_fields = ("customer",)
