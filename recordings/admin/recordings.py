from django.contrib import admin, messages
from django.db.models import Count, Sum
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from recordings import services
from recordings.admin.totals import RecordingCustomerTotalsMixin
from recordings.models import FtpAccount, FtpLogEntry, Recording, RetentionLog


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


# --- The recordings push (operators see every customer's targets, runs and failures here).

from recordings.models import PushConfirmation, PushRun, PushTarget  # noqa: E402
from recordings.push import services as push_services  # noqa: E402


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
