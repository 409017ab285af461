"""Writes of the billing app: switching services on and off, charging fees, topping up."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import selectors
from billing.choices import BillingPeriod, LedgerKind, SubscriptionStatus
from billing.models import LedgerEntry, PackagePlan, Service, Subscription
from panel.models import Customer, User


@dataclass(frozen=True)
class ActivationCharge:
    """What switching a service on costs now: the one-off fee and the first (pro-rata) period."""

    activation: Decimal
    first_period: Decimal
    period_fee: Decimal

    @property
    def total(self) -> Decimal:
        return self.activation + self.first_period


def month_start(moment: datetime) -> datetime:
    local = timezone.localtime(moment)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month_start(moment: datetime) -> datetime:
    start = month_start(moment)
    year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    return start.replace(year=year, month=month)


def pro_rata(fee: Decimal, moment: datetime) -> Decimal:
    """The part of a monthly fee for the rest of the month from `moment` (whole days, the start day included)."""
    local = timezone.localtime(moment)
    days_in_month = calendar.monthrange(local.year, local.month)[1]
    remaining = days_in_month - local.day + 1
    return (fee * remaining / days_in_month).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def activation_charge(*, service: Service, quantity: int, now: datetime) -> ActivationCharge:
    period_fee = service.period_fee * quantity
    first = period_fee if service.period == BillingPeriod.THREE_DAYS else pro_rata(period_fee, now)
    return ActivationCharge(activation=service.activation_fee, first_period=first, period_fee=period_fee)


def _charge(*, customer: Customer, kind: str, amount_net: Decimal, reason: str, key: str | None, **extra) -> bool:
    """Add a charge (negative) unless one with the same idempotency key exists; True when added."""
    if amount_net == 0:
        return False
    entry = LedgerEntry.build(
        customer=customer, kind=kind, amount_net=-amount_net, reason=reason, idempotency_key=key, **extra
    )
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        if key and LedgerEntry.objects.for_customer(customer).filter(idempotency_key=key).exists():
            return False
        raise
    return True


@transaction.atomic
def service_activate(
    *, customer: Customer, service: Service, quantity: int = 1, user: User | None = None, now: datetime | None = None
) -> Subscription:
    """Switch a service on after the customer agreed to the costs; charges activation and the first period."""
    now = now or timezone.now()
    Customer.objects.select_for_update().filter(pk=customer.pk).first()  # one activation at a time per customer
    offer = selectors.service_offer(customer=customer, service=service, now=now)
    if not offer.can_activate:
        raise ValidationError(offer.reason)
    if not 1 <= quantity <= service.max_quantity:
        raise ValidationError(_("Choose a quantity from 1 to %(max)s.") % {"max": service.max_quantity})
    ends_at = now + timedelta(days=3) if service.period == BillingPeriod.THREE_DAYS else None
    subscription = Subscription.objects.create(
        customer=customer, service=service, quantity=quantity, started_at=now, ends_at=ends_at
    )
    charge = activation_charge(service=service, quantity=quantity, now=now)
    common = {"service": service, "subscription": subscription, "created_by": user}
    _charge(
        customer=customer,
        kind=LedgerKind.ACTIVATION_FEE,
        amount_net=charge.activation,
        reason=_("Activation: %(service)s") % {"service": service.name},
        key=f"activation:sub:{subscription.pk}",
        **common,
    )
    _charge(
        customer=customer,
        kind=LedgerKind.SERVICE_FEE,
        amount_net=charge.first_period,
        reason=_("%(service)s: first period") % {"service": service.name},
        key=f"first-period:sub:{subscription.pk}",
        **common,
    )
    return subscription


@transaction.atomic
def service_cancel(*, customer: Customer, subscription: Subscription, now: datetime | None = None) -> Subscription:
    """Switch a service off at the end of its billing period (the end of the month, or of the 3 days)."""
    now = now or timezone.now()
    subscription = Subscription.objects.select_for_update().for_customer(customer).get(pk=subscription.pk)
    if subscription.status != SubscriptionStatus.ACTIVE:
        raise ValidationError(_("This service is already being switched off."))
    subscription.status = SubscriptionStatus.CANCELLING
    subscription.cancelled_at = now
    if subscription.ends_at is None:
        subscription.ends_at = next_month_start(now)
    subscription.save(update_fields=["status", "cancelled_at", "ends_at"])
    return subscription


def subscriptions_close(*, now: datetime | None = None) -> int:
    """Mark subscriptions whose end has passed as ended (idempotent); returns how many were closed."""
    now = now or timezone.now()
    return (
        Subscription.objects.exclude(status=SubscriptionStatus.ENDED)
        .filter(ends_at__isnull=False, ends_at__lte=now)
        .update(status=SubscriptionStatus.ENDED)
    )


def monthly_fees_charge(*, customer: Customer, month: datetime) -> int:
    """Charge the package fee and every monthly service running at the month's start; safe to run twice."""
    start = month_start(month)
    label = start.strftime("%Y-%m")
    added = 0
    plan = PackagePlan.objects.filter(code=customer.package).first()
    if plan and customer.created_at < start:
        added += _charge(
            customer=customer,
            kind=LedgerKind.PACKAGE_FEE,
            amount_net=plan.monthly_fee,
            reason=_("Package %(package)s, %(month)s") % {"package": plan, "month": label},
            key=f"monthly:{label}:package",
        )
    running = (
        Subscription.objects.for_customer(customer)
        .select_related("service")
        .filter(service__period=BillingPeriod.MONTH, started_at__lt=start)
        .exclude(ends_at__lte=start)
    )
    for subscription in running:
        added += _charge(
            customer=customer,
            kind=LedgerKind.SERVICE_FEE,
            amount_net=subscription.service.period_fee * subscription.quantity,
            reason=_("%(service)s, %(month)s") % {"service": subscription.service.name, "month": label},
            key=f"monthly:{label}:sub:{subscription.pk}",
            service=subscription.service,
            subscription=subscription,
        )
    return added


@transaction.atomic
def balance_top_up(*, customer: Customer, amount_gross: Decimal, reason: str, user: User | None = None) -> LedgerEntry:
    """Record money the customer paid in (gross); net and VAT are derived at the customer's VAT rate."""
    if amount_gross <= 0:
        raise ValidationError(_("A top-up must be a positive amount."))
    net = (amount_gross * 100 / (100 + customer.vat_rate)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    entry = LedgerEntry(
        customer=customer,
        kind=LedgerKind.TOP_UP,
        amount_net=net,
        vat_rate=customer.vat_rate,
        amount_vat=amount_gross - net,
        amount_gross=amount_gross,
        reason=reason,
        created_by=user,
    )
    entry.save()
    return entry
