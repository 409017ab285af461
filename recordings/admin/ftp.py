"""Operators' view of FTP access: the customers' log-ins (a new password on request) and the FTP audit log."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from recordings import services
from recordings.models import FtpAccount, FtpLogEntry


@admin.register(FtpAccount)
class FtpAccountAdmin(admin.ModelAdmin):
    """FTP log-ins; the password is never shown here (the customer sees it in the panel)."""

    list_display = ("login", "customer", "is_enabled", "password_changed_at", "created_at")
    list_filter = ("is_enabled",)
    search_fields = ("customer__prefix", "customer__name")
    list_select_related = ("customer",)
    fields = ("customer", "is_enabled", "password_changed_at", "created_at")
    readonly_fields = ("password_changed_at", "created_at")
    autocomplete_fields = ("customer",)
    actions = ["regenerate_password"]

    @admin.display(description=_("login"), ordering="customer__prefix")
    def login(self, obj):
        return obj.login

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "customer") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["is_enabled"])
            return
        account = services.ftp_account_ensure(customer=obj.customer)
        account.is_enabled = obj.is_enabled
        account.save(update_fields=["is_enabled"])
        obj.pk = account.pk

    @admin.action(description=_("Generate a new password (the customer sees it in the panel)"))
    def regenerate_password(self, request, queryset):
        for account in queryset.select_related("customer"):
            services.ftp_password_regenerate(customer=account.customer, by=f"admin:{request.user.get_username()}")
        count = queryset.count()
        self.message_user(
            request,
            ngettext(
                "A new password was generated for %(count)d account.",
                "New passwords were generated for %(count)d accounts.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(FtpLogEntry)
class FtpLogEntryAdmin(admin.ModelAdmin):
    """The FTP audit log: log-ins, downloads, refusals and bans, with customer and IP."""

    list_display = ("created_at", "event", "login", "customer", "ip", "path", "bytes_sent", "detail")
    list_filter = ("event", "created_at")
    search_fields = ("login", "ip", "path", "customer__prefix", "customer__name", "detail")
    list_select_related = ("customer",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
