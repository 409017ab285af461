"""Reads of the billing app, scoped to one customer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.choices import SubscriptionStatus
from billing.constants import EXCLUSIVE_SERVICE_GROUPS
from billing.models import LedgerEntry, PackagePlan, Service, Subscription, Tariff, TariffRate
from billing.rating import PrefixTable, Rate
from panel.models import Customer


@dataclass(frozen=True)
class Balance:
    net: Decimal
    gross: Decimal


@dataclass(frozen=True)
class ServiceOffer:
    """A service as one customer sees it in "Twoje Usługi"."""

    service: Service
    included: bool
    unavailable: bool
    subscription: Subscription | None
    reason: str = ""

    @property
    def is_on(self) -> bool:
        return self.included or self.subscription is not None

    @property
    def can_activate(self) -> bool:
        return not self.is_on and not self.unavailable and not self.reason

    @property
    def can_cancel(self) -> bool:
        return self.subscription is not None and self.subscription.status == SubscriptionStatus.ACTIVE


def balance(*, customer: Customer) -> Balance:
    sums = LedgerEntry.objects.for_customer(customer).aggregate(net=Sum("amount_net"), gross=Sum("amount_gross"))
    return Balance(net=sums["net"] or Decimal("0.00"), gross=sums["gross"] or Decimal("0.00"))


def ledger_list(*, customer: Customer):
    return LedgerEntry.objects.for_customer(customer).select_related("service")


def package_plan(*, customer: Customer) -> PackagePlan | None:
    return PackagePlan.objects.filter(code=customer.package).first()


def running_subscriptions(*, customer: Customer, now: datetime | None = None):
    now = now or timezone.now()
    return (
        Subscription.objects.for_customer(customer)
        .exclude(status=SubscriptionStatus.ENDED)
        .filter(started_at__lte=now)
        .exclude(ends_at__lte=now)
        .select_related("service")
    )


def service_offers(*, customer: Customer, now: datetime | None = None) -> list[ServiceOffer]:
    now = now or timezone.now()
    plan = package_plan(customer=customer)
    services = list(Service.objects.filter(is_offered=True).prefetch_related("included_in", "unavailable_in"))
    running = {sub.service_id: sub for sub in running_subscriptions(customer=customer, now=now)}
    offers = []
    for service in services:
        included = plan is not None and plan in service.included_in.all()
        unavailable = plan is not None and plan in service.unavailable_in.all()
        reason = ""
        if unavailable:
            reason = _("Not available in your package.")
        elif service.requires_id and not _is_on(service.requires, plan, running):
            reason = _("Switch on %(service)s first.") % {"service": service.requires.name}
        elif alternative := _running_alternative(service, services, plan, running):
            reason = _("You already have %(service)s.") % {"service": alternative.name}
        offers.append(ServiceOffer(service, included, unavailable, running.get(service.pk), reason))
    return offers


def _running_alternative(service: Service, services: list[Service], plan, running: dict) -> Service | None:
    for group in EXCLUSIVE_SERVICE_GROUPS:
        if service.code in group:
            for other in services:
                if other.code in group and other.pk != service.pk and _is_on(other, plan, running):
                    return other
    return None


def _is_on(service: Service, plan: PackagePlan | None, running: dict) -> bool:
    return service.pk in running or (plan is not None and plan in service.included_in.all())


def service_offer(*, customer: Customer, service: Service, now: datetime | None = None) -> ServiceOffer:
    return next(offer for offer in service_offers(customer=customer, now=now) if offer.service.pk == service.pk)


def service_active(*, customer: Customer, code: str, at: datetime | None = None) -> bool:
    """Whether the customer had the service (by its code) at the given moment: included or subscribed."""
    at = at or timezone.now()
    plan = package_plan(customer=customer)
    if plan is not None and plan.included_services.filter(code=code).exists():
        return True
    return any(
        sub.is_active_at(at)
        for sub in Subscription.objects.for_customer(customer).filter(service__code=code, started_at__lte=at)
    )


def tariff_for_customer(*, customer: Customer) -> Tariff | None:
    if customer.tariff_id:
        return customer.tariff
    return Tariff.objects.filter(is_default=True).first()


def prefix_table(*, tariff: Tariff) -> PrefixTable:
    rows = TariffRate.objects.filter(tariff=tariff).values_list(
        "prefix", "destination", "price_per_minute", "connection_fee", "first_increment", "next_increment"
    )
    return PrefixTable([Rate(*row) for row in rows])


def rate_for_number(*, customer: Customer, number: str) -> Rate | None:
    """The customer's per-minute rate for an E.164 number (longest prefix), or None when unpriced."""
    tariff = tariff_for_customer(customer=customer)
    if tariff is None:
        return None
    return prefix_table(tariff=tariff).lookup(number)
