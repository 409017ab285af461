from django.contrib import admin

from pbx.models import PhoneNumber, Queue, SipAccount


@admin.register(SipAccount)
class SipAccountAdmin(admin.ModelAdmin):
    list_display = ("extension", "name", "customer", "created_at")
    list_filter = ("customer__package", "created_at")
    search_fields = ("extension", "name", "customer__name", "customer__prefix")
    list_select_related = ("customer",)
    autocomplete_fields = ("customer",)


@admin.register(PhoneNumber)
class PhoneNumberAdmin(admin.ModelAdmin):
    list_display = ("number", "area", "description", "customer")
    list_filter = ("customer__package",)
    search_fields = ("number", "area", "description", "customer__name", "customer__prefix")
    list_select_related = ("customer",)
    autocomplete_fields = ("customer",)


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = ("name", "number", "customer")
    search_fields = ("name", "number", "customer__name", "customer__prefix")
    list_select_related = ("customer",)
    autocomplete_fields = ("customer",)
