"""The recordings push in the admin: operators see every customer's targets, runs and failures here."""

from django.contrib import admin, messages
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from recordings.models import PushConfirmation, PushRun, PushTarget
from recordings.push import services as push_services


@admin.register(PushTarget)
class PushTargetAdmin(admin.ModelAdmin):
    """Customers' push servers; the password and private key are never shown (they stay encrypted)."""

    list_display = ("customer", "protocol", "host", "port", "username", "path_template", "host_key_fingerprint")
    list_filter = ("protocol",)
    search_fields = ("customer__prefix", "customer__name", "host", "username")
    list_select_related = ("customer",)
    readonly_fields = (
        "customer",
        "protocol",
        "host",
        "port",
        "username",
        "passive_mode",
        "verify_tls",
        "path_template",
        "host_key_fingerprint",
        "host_key_recorded_at",
        "host_key_offered",
        "created_at",
        "updated_at",
    )
    actions = ["forget_host_key"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Forget the remembered server key (the next connection remembers it again)"))
    def forget_host_key(self, request, queryset):
        for target in queryset.select_related("customer"):
            push_services.push_host_key_forget(customer=target.customer)
        self.message_user(request, _("Done."), messages.SUCCESS)


@admin.register(PushRun)
class PushRunAdmin(admin.ModelAdmin):
    """Each customer's push per day: failures (with the reason the customer sees) are here for operators."""

    list_display = (
        "day",
        "customer",
        "status",
        "total_count",
        "uploaded_count",
        "skipped_count",
        "failed_count",
        "size",
        "attempts",
        "failed_nights",
        "finished_at",
        "short_error",
    )
    list_filter = ("status", "day", "failed_nights")
    search_fields = ("customer__prefix", "customer__name", "error", "target")
    list_select_related = ("customer",)
    date_hierarchy = "day"
    readonly_fields = [field.name for field in PushRun._meta.fields]
    actions = ["push_again"]

    @admin.display(description=_("size"), ordering="bytes_uploaded")
    def size(self, obj):
        return filesizeformat(obj.bytes_uploaded)

    @admin.display(description=_("error"))
    def short_error(self, obj):
        return (obj.error[:117] + "…") if len(obj.error) > 120 else obj.error

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Push these days again (every recording is checked on the server)"))
    def push_again(self, request, queryset):
        count = 0
        for run in queryset.select_related("customer"):
            push_services.push_resend(customer=run.customer, day=run.day)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d day queued.", "%(count)d days queued.", count) % {"count": count},
            messages.SUCCESS,
        )


@admin.register(PushConfirmation)
class PushConfirmationAdmin(admin.ModelAdmin):
    """Which recording was verified at which path of which server, and when (read-only)."""

    list_display = ("confirmed_at", "customer", "target", "remote_path", "size_bytes", "method", "checksum")
    list_filter = ("method", "confirmed_at")
    search_fields = ("customer__prefix", "remote_path", "target")
    list_select_related = ("customer",)
    readonly_fields = [field.name for field in PushConfirmation._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
