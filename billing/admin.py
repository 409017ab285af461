from decimal import Decimal

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from billing import services
from billing.models import CallLeg, CallRecord, LedgerEntry, PackagePlan, Service, Subscription, Tariff, TariffRate
from panel.models import Customer


class TariffRateInline(admin.TabularInline):
    model = TariffRate
    extra = 0


@admin.register(Tariff)
class TariffAdmin(admin.ModelAdmin):
    list_display = ("name", "is_default")
    list_filter = ("is_default",)
    search_fields = ("name",)
    inlines = [TariffRateInline]


@admin.register(TariffRate)
class TariffRateAdmin(admin.ModelAdmin):
    list_display = ("prefix", "destination", "price_per_minute", "connection_fee", "first_increment", "next_increment")
    list_filter = ("tariff", "destination")
    search_fields = ("prefix", "destination")


@admin.register(PackagePlan)
class PackagePlanAdmin(admin.ModelAdmin):
    list_display = ("code", "monthly_fee")
    search_fields = ("code",)


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("name_pl", "code", "activation_fee", "period_fee", "period", "max_quantity", "is_offered")
    list_filter = ("period", "is_offered", "included_in")
    search_fields = ("name_pl", "name_en", "code")
    filter_horizontal = ("included_in", "unavailable_in")


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("customer", "service", "quantity", "status", "started_at", "ends_at")
    list_filter = ("status", "service")
    search_fields = ("customer__name", "customer__prefix", "service__name_pl")
    list_select_related = ("customer", "service")
    autocomplete_fields = ("customer",)


class TopUpForm(forms.ModelForm):
    """Operators record money paid in; VAT and net are derived, the entry can never be edited."""

    customer = forms.ModelChoiceField(queryset=Customer.objects.all(), label=_("customer"))
    amount = forms.DecimalField(
        label=_("gross amount paid (PLN)"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    reason = forms.CharField(label=_("reason"), max_length=255, initial=_("Top-up"))

    class Meta:
        model = LedgerEntry
        fields = ()


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "customer", "kind", "amount_net", "amount_vat", "amount_gross", "reason")
    list_filter = ("kind", "created_at")
    search_fields = ("customer__name", "customer__prefix", "reason", "idempotency_key")
    list_select_related = ("customer",)
    date_hierarchy = "created_at"
    form = TopUpForm

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("customer", "amount", "reason")
        return [field.name for field in LedgerEntry._meta.fields if field.name != "id"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj else ()

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        entry = services.balance_top_up(
            customer=form.cleaned_data["customer"],
            amount_gross=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"],
            user=request.user,
        )
        obj.pk = entry.pk


class CallLegInline(admin.TabularInline):
    model = CallLeg
    extra = 0
    can_delete = False
    readonly_fields = [field.name for field in CallLeg._meta.fields if field.name != "id"]


@admin.register(CallRecord)
class CallRecordAdmin(admin.ModelAdmin):
    list_display = (
        "started_at",
        "customer",
        "direction",
        "caller",
        "callee",
        "talk_seconds",
        "cost_net",
        "rating_status",
    )
    list_filter = ("rating_status", "direction", "disposition")
    search_fields = ("call_id", "caller", "callee", "customer__prefix", "customer__name")
    list_select_related = ("customer",)
    date_hierarchy = "started_at"
    inlines = [CallLegInline]

    def has_add_permission(self, request):
        return False  # call records come from the PBX only


@admin.register(CallLeg)
class CallLegAdmin(admin.ModelAdmin):
    list_display = ("call", "index", "kind", "source", "destination", "billed_seconds", "cost_net")
    list_filter = ("kind", "billable")
    search_fields = ("call__call_id", "source", "destination", "call__customer__prefix")
    list_select_related = ("call",)

    def has_add_permission(self, request):
        return False
