from django.contrib import admin

from callback.models import AuthorizedNumber, CallbackOrder


@admin.register(AuthorizedNumber)
class AuthorizedNumberAdmin(admin.ModelAdmin):
    list_display = ["number", "description", "customer", "locked_until", "created_at"]
    search_fields = ["number", "description", "customer__prefix"]
    exclude = ["pin"]


@admin.register(CallbackOrder)
class CallbackOrderAdmin(admin.ModelAdmin):
    list_display = ["created_at", "authorized_number", "target", "channel", "status", "reason", "call_id"]
    list_filter = ["status", "channel"]
    search_fields = ["target", "call_id", "authorized_number__number"]
