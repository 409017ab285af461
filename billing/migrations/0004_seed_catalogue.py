"""Seed the packages and the service catalogue (operators edit prices in the admin)."""

from decimal import Decimal

from django.db import migrations

# Biznes 89 zł is the product documentation's figure; the other package fees are starting values.
PACKAGE_FEES = {"mini": "19.00", "start": "49.00", "biznes": "89.00", "premium": "149.00", "elite": "249.00"}

SERVICES = [
    # code, Polish name, English name, activation, fee per period, period, max quantity, included in, requires
    ("recording", "Nagrywanie rozmów", "Call recording", "0", "49.00", "month", 1, ["biznes", "premium", "elite"], None),
    ("retention_extension", "Dłuższe przechowywanie nagrań (30 dni)", "Longer recording retention (30 days)",
     "0", "30.00", "month", 23, [], "recording"),
    ("recording_push", "Automatyczne przesyłanie nagrań na Twój serwer", "Automatic recording push to your server",
     "149.00", "49.00", "month", 1, [], "recording"),
    ("conference_3_days", "Telekonferencje (3 dni)", "Teleconferences (3 days)", "0", "10.00", "three_days", 1,
     ["premium", "elite"], None),
    ("conference_month", "Telekonferencje (miesiąc)", "Teleconferences (month)", "0", "30.00", "month", 1,
     ["premium", "elite"], None),
    ("monitoring", "Monitorowanie połączeń (podsłuch / podpowiadanie)", "Call monitoring (listen / whisper)",
     "0", "22.00", "month", 1, [], None),
    ("paper_invoice", "Faktura papierowa", "Paper invoice", "0", "5.00", "month", 1, [], None),
]


def seed(apps, schema_editor):
    PackagePlan = apps.get_model("billing", "PackagePlan")
    Service = apps.get_model("billing", "Service")
    plans = {}
    for code, fee in PACKAGE_FEES.items():
        plans[code], _ = PackagePlan.objects.get_or_create(code=code, defaults={"monthly_fee": Decimal(fee)})
    for order, (code, name_pl, name_en, activation, fee, period, max_qty, included, requires) in enumerate(SERVICES):
        service, created = Service.objects.get_or_create(
            code=code,
            defaults={
                "name_pl": name_pl,
                "name_en": name_en,
                "activation_fee": Decimal(activation),
                "period_fee": Decimal(fee),
                "period": period,
                "max_quantity": max_qty,
                "sort_order": order,
                "requires": Service.objects.get(code=requires) if requires else None,
            },
        )
        if created:
            service.included_in.set([plans[c] for c in included])


class Migration(migrations.Migration):
    dependencies = [("billing", "0003_catalogue_and_ledger")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
