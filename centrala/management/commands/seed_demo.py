"""Create the demo customers, users and operator (idempotent)."""

from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from billing.choices import LedgerKind
from billing.models import LedgerEntry, Service, Subscription
from conferences.models import ConferenceRoom
from conferences.services import room_save
from panel.choices import Package
from panel.models import Customer, User
from pbx.choices import RouteKind
from pbx.models import PhoneNumber, Queue, SipAccount
from pbx.services import external as external_services
from pbx.services import queues as queue_services
from pbx.services import sip as sip_services

DEMO_CUSTOMERS = [
    # prefix, name, package, balance, (user, password), phone numbers
    (
        "firmaabcde",
        "Firma ABCDE Sp. z o.o. (DEMO)",
        Package.BIZNES,
        Decimal("250.00"),
        ("demo", "demo12345"),
        ["+48943401128", "+48223001122", "+48324000004"],
    ),
    (
        "drugafirma",
        "Druga Firma S.A. (DEMO)",
        Package.START,
        Decimal("80.00"),
        ("drugi", "drugi12345"),
        ["+48123005566"],
    ),
]
OPERATOR = ("admin", "admin12345")


DEMO_SIP_PASSWORD = "Demo-sip-2026-x7"


class Command(BaseCommand):
    help = "Create DEMO data: customers firmaabcde and drugafirma with their users, and the operator admin."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Allow demo data when DEBUG is off.")

    @transaction.atomic
    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Demo data with known passwords: refused when DEBUG is off (use --force to insist).")
        for prefix, name, package, balance, (username, password), numbers in DEMO_CUSTOMERS:
            customer, created = Customer.objects.get_or_create(
                prefix=prefix, defaults={"name": name, "package": package}
            )
            if not LedgerEntry.objects.for_customer(customer).filter(idempotency_key="demo-top-up").exists():
                entry = LedgerEntry.build(
                    customer=customer, kind=LedgerKind.TOP_UP, amount_net=balance, reason="DEMO top-up"
                )
                entry.idempotency_key = "demo-top-up"
                entry.save()
            user, _ = User.objects.get_or_create(username=username, defaults={"customer": customer})
            if user.customer_id != customer.pk:
                raise CommandError(f"User {username} exists and belongs to another customer; not touching it.")
            user.first_name = "Demo"
            user.email = f"{username}@{prefix}.example"
            user.set_password(password)
            user.save()
            for number in numbers:
                PhoneNumber.objects.get_or_create(number=number, defaults={"customer": customer, "area": "Polska"})
            if prefix == "firmaabcde" and not SipAccount.objects.for_customer(customer).exists():
                self._telephony(customer)
            if prefix == "firmaabcde" and not ConferenceRoom.objects.for_customer(customer).exists():
                self._conference(customer)
            self.stdout.write(
                f"{'Created' if created else 'Kept'} DEMO customer {prefix}: log in as {username} / {password}"
            )
        username, password = OPERATOR
        operator, _ = User.objects.get_or_create(username=username, defaults={"is_staff": True})
        operator.is_staff = operator.is_superuser = True
        operator.customer = None
        operator.set_password(password)
        operator.save()
        self.stdout.write(f"DEMO operator: {username} / {password} at /admin/")

    def _conference(self, customer):
        """Teleconferences switched on (monthly, free of charge for the demo) and one room on its own number."""
        Subscription.objects.create(
            customer=customer, service=Service.objects.get(code="conference_month"), started_at=timezone.now()
        )
        room_save(
            customer=customer,
            name="Telekonferencje z Klientami",
            pin="4545",
            number="*7556",
            max_participants=15,
            phone_number=PhoneNumber.objects.for_customer(customer).get(number="+48324000004"),
        )
        PhoneNumber.objects.for_customer(customer).filter(number="+48324000004").update(
            description="Telekonferencje (DEMO)"
        )

    def _telephony(self, customer):
        """A small working PBX: two extensions, a mobile, a queue, and a DID routed to the queue."""
        office = sip_services.sip_account_create(
            customer=customer, fields={"extension": "10", "name": "Biuro"}, password=DEMO_SIP_PASSWORD
        )
        sales = sip_services.sip_account_create(
            customer=customer,
            fields={"extension": "11", "name": "Sprzedaż", "voicemail_enabled": True, "voicemail_pin": "2468"},
            password=DEMO_SIP_PASSWORD,
        )
        mobile = external_services.external_number_create(
            customer=customer, number="+48501222333", description="Komórka szefa (DEMO)"
        )
        queue = Queue(customer=customer, name="Sprzedaż", number="1000")
        queue_services.queue_save(customer=customer, queue=queue)
        for agent in (sales, office):
            queue_services.queue_agent_add(customer=customer, queue=queue, sip=agent)
        queue_services.queue_agent_add(customer=customer, queue=queue, external=mobile)
        PhoneNumber.objects.for_customer(customer).filter(number="+48943401128").update(
            route_kind=RouteKind.QUEUE, route_queue=queue, description="Infolinia (DEMO)"
        )
        PhoneNumber.objects.for_customer(customer).filter(number="+48223001122").update(
            route_kind=RouteKind.EXTENSION, route_sip=office, description="Biuro Warszawa (DEMO)"
        )
