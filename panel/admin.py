from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from panel.models import ApiToken, Customer, LoginFailure, LoginLock, User


class ReadOnlyAdmin(admin.ModelAdmin):
    """For rows that the PBX or the panel's own jobs write: operators look, nobody edits or deletes by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CustomerUserInline(admin.TabularInline):
    model = User
    fields = ("username", "email", "first_name", "last_name", "is_active", "last_login")
    readonly_fields = ("last_login",)
    extra = 0
    show_change_link = True


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    """The operators' customer list; billing's admin registers a subclass that adds each customer's balance."""

    list_display = ("name", "prefix", "package", "vat_rate", "is_active", "created_at")
    list_filter = ("package", "is_active", "created_at")
    search_fields = ("name", "prefix")
    readonly_fields = ("created_at",)
    inlines = [CustomerUserInline]

    def get_readonly_fields(self, request, obj=None):
        # The prefix names SIP accounts, FTP log-ins and folders: fixed once created.
        return (*self.readonly_fields, "prefix") if obj else self.readonly_fields


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "customer", "email", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "customer__package")
    search_fields = ("username", "email", "first_name", "last_name", "customer__name", "customer__prefix")
    list_select_related = ("customer",)
    autocomplete_fields = ("customer",)
    fieldsets = ((None, {"fields": ("customer",)}), *BaseUserAdmin.fieldsets)
    add_fieldsets = ((None, {"fields": ("customer",)}), *BaseUserAdmin.add_fieldsets)


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    list_display = ("username", "ip", "created_at")
    list_filter = ("created_at",)
    search_fields = ("username", "ip")
    readonly_fields = ("username", "ip", "created_at")


@admin.register(LoginLock)
class LoginLockAdmin(admin.ModelAdmin):
    list_display = ("scope", "key", "locked_until", "created_at")
    list_filter = ("scope", "locked_until")
    search_fields = ("key",)
    actions = ["unlock"]

    @admin.action(description=_("Unlock now"))
    def unlock(self, request, queryset):
        queryset.delete()


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "customer", "key_prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at", "created_at")
    search_fields = ("name", "key_prefix", "customer__name", "customer__prefix")
    readonly_fields = ("key_prefix", "created_at", "last_used_at")
    autocomplete_fields = ("customer",)
