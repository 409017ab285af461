"""Seed the default tariff with Polish destinations (operators edit it in the admin)."""

from decimal import Decimal

from django.db import migrations

MOBILE_PREFIXES = ["45", "50", "51", "53", "57", "60", "66", "69", "72", "73", "78", "79", "88"]
RATES = [
    ("+48", "Polska Stacjonarne", "0.05"),
    *[(f"+48{prefix}", "Polska Komórka", "0.11") for prefix in MOBILE_PREFIXES],
    ("+49", "Niemcy", "0.09"),
    ("+420", "Czechy", "0.09"),
    ("+421", "Słowacja", "0.09"),
    ("+44", "Wielka Brytania", "0.09"),
    ("+33", "Francja", "0.09"),
    ("+380", "Ukraina", "0.39"),
    ("+1", "USA i Kanada", "0.09"),
    ("+", "Reszta świata", "1.99"),
]


def seed(apps, schema_editor):
    Tariff = apps.get_model("billing", "Tariff")
    TariffRate = apps.get_model("billing", "TariffRate")
    tariff, _ = Tariff.objects.get_or_create(name="Standard", defaults={"is_default": True})
    for prefix, destination, price in RATES:
        TariffRate.objects.get_or_create(
            tariff=tariff,
            prefix=prefix,
            defaults={"destination": destination, "price_per_minute": Decimal(price)},
        )


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
