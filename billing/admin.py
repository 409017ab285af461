from django.contrib import admin

from billing.models import Tariff, TariffRate


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
    list_display = (
        "prefix",
        "destination",
        "price_per_minute",
        "connection_fee",
        "first_increment",
        "next_increment",
        "tariff",
    )
    list_filter = ("tariff", "destination")
    search_fields = ("prefix", "destination")
