from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.db.models import OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from billing import rating_service, services
from billing.choices import RatingStatus
from billing.models import CallLeg, CallRecord, LedgerEntry, PackagePlan, Service, Subscription, Tariff, TariffRate
from panel.admin import CustomerAdmin as PanelCustomerAdmin
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


class RatingAttentionFilter(admin.SimpleListFilter):
    """Calls an operator must look at: flagged as unratable, or still unrated long after they arrived."""

    title = _("needs attention")
    parameter_name = "attention"
    STUCK_AFTER = timedelta(minutes=10)

    def lookups(self, request, model_admin):
        return [
            ("unratable", _("cannot be rated (fix the tariff, then re-rate)")),
            ("stuck", _("still waiting for rating after 10 minutes")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "unratable":
            return queryset.filter(rating_status=RatingStatus.UNRATABLE)
        if self.value() == "stuck":
            return queryset.filter(rating_status=RatingStatus.PENDING, created_at__lt=timezone.now() - self.STUCK_AFTER)
        return queryset


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
        "rating_error",
    )
    list_filter = (RatingAttentionFilter, "rating_status", "direction", "disposition")
    search_fields = ("call_id", "caller", "callee", "customer__prefix", "customer__name")
    list_select_related = ("customer",)
    date_hierarchy = "started_at"
    inlines = [CallLegInline]
    actions = ["rerate"]
    # What the PBX reported and what rating wrote: never edited by hand (the ledger must keep agreeing).
    readonly_fields = [field.name for field in CallRecord._meta.fields if field.name != "id"]

    def has_add_permission(self, request):
        return False  # call records come from the PBX only

    @admin.action(description=_("Re-rate the selected calls with the current tariff (corrects the balance)"))
    def rerate(self, request, queryset):
        """After a tariff fix: price the calls again and correct each customer's ledger by the difference."""
        by_customer = defaultdict(list)
        for customer_id, pk in queryset.order_by().values_list("customer_id", "pk"):
            by_customer[customer_id].append(pk)
        total = rating_service.RatingSummary()
        for customer in Customer.objects.filter(pk__in=by_customer):
            total.add(
                rating_service.call_records_rerate(
                    customer=customer, call_ids=by_customer[customer.pk], user=request.user
                )
            )
        self.message_user(
            request,
            ngettext(
                "Re-rated %(rated)d call; %(entries)d balance corrections, %(net)s PLN net in total.",
                "Re-rated %(rated)d calls; %(entries)d balance corrections, %(net)s PLN net in total.",
                total.rated,
            )
            % {"rated": total.rated, "entries": total.ledger_entries, "net": total.ledger_net},
            messages.SUCCESS,
        )
        if total.unratable:
            self.message_user(
                request,
                ngettext(
                    "%(count)d call still cannot be rated; see the reason in the list.",
                    "%(count)d calls still cannot be rated; see the reason in the list.",
                    total.unratable,
                )
                % {"count": total.unratable},
                messages.WARNING,
            )


@admin.register(CallLeg)
class CallLegAdmin(admin.ModelAdmin):
    list_display = ("call", "index", "kind", "source", "destination", "billed_seconds", "cost_net")
    list_filter = ("kind", "billable")
    search_fields = ("call__call_id", "source", "destination", "call__customer__prefix")
    list_select_related = ("call",)

    def has_add_permission(self, request):
        return False


admin.site.unregister(Customer)


@admin.register(Customer)
class CustomerAdmin(PanelCustomerAdmin):
    """panel's customer list with each customer's balance from the ledger (panel knows no billing)."""

    list_display = ("name", "prefix", "package", "balance_gross", "vat_rate", "is_active", "created_at")

    def get_queryset(self, request):
        totals = (
            LedgerEntry.objects.filter(customer=OuterRef("pk"))
            .values("customer")
            .annotate(total=Sum("amount_gross"))
            .values("total")
        )
        return super().get_queryset(request).annotate(balance_sum=Subquery(totals))

    @admin.display(description=_("balance (gross PLN)"), ordering="balance_sum")
    def balance_gross(self, obj):
        return obj.balance_sum or Decimal("0.00")
