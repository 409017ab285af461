from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from billing import selectors, services
from billing.choices import SubscriptionStatus
from billing.models import LedgerEntry, PackagePlan, Service

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]
WARSAW = ZoneInfo("Europe/Warsaw")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=WARSAW)


def service(code) -> Service:
    return Service.objects.get(code=code)


def test_catalogue_is_seeded_with_the_documented_prices():
    assert PackagePlan.objects.get(code="biznes").monthly_fee == Decimal("89.00")
    recording = service("recording")
    assert recording.period_fee == Decimal("49.00")
    assert {plan.code for plan in recording.included_in.all()} == {"biznes", "premium", "elite"}
    push = service("recording_push")
    assert (push.activation_fee, push.period_fee) == (Decimal("149.00"), Decimal("49.00"))
    assert service("monitoring").period_fee == Decimal("22.00")
    assert service("conference_3_days").period_fee == Decimal("10.00")
    assert service("conference_month").period_fee == Decimal("30.00")
    assert service("retention_extension").period_fee == Decimal("30.00")


def test_activation_charges_the_one_off_fee_and_the_rest_of_the_month(customer):
    before = selectors.balance(customer=customer)
    services.service_activate(customer=customer, service=service("recording_push"), now=at(2026, 11, 21, 12))
    # 149 activation + 49 × 10/30 days (21st–30th November) = 149 + 16.33
    charges = LedgerEntry.objects.for_customer(customer).filter(amount_net__lt=0)
    assert sorted(entry.amount_net for entry in charges) == [Decimal("-149.00"), Decimal("-16.33")]
    after = selectors.balance(customer=customer)
    assert before.net - after.net == Decimal("165.33")
    assert before.gross - after.gross == Decimal("183.27") + Decimal("20.09")


def test_service_included_in_the_package_cannot_be_bought(customer):
    with pytest.raises(ValidationError):
        services.service_activate(customer=customer, service=service("recording"))
    assert selectors.service_active(customer=customer, code="recording")


def test_service_that_requires_another_is_refused_until_that_one_is_on(other_customer):
    # drugafirma is on Start: recording is not included, so longer retention needs it first.
    with pytest.raises(ValidationError, match="Najpierw"):
        services.service_activate(customer=other_customer, service=service("retention_extension"))
    services.service_activate(customer=other_customer, service=service("recording"))
    services.service_activate(customer=other_customer, service=service("retention_extension"), quantity=2)


def test_quantity_is_bounded(other_customer):
    services.service_activate(customer=other_customer, service=service("recording"))
    with pytest.raises(ValidationError):
        services.service_activate(customer=other_customer, service=service("retention_extension"), quantity=24)


def test_a_running_service_cannot_be_bought_twice(other_customer):
    services.service_activate(customer=other_customer, service=service("monitoring"))
    with pytest.raises(ValidationError):
        services.service_activate(customer=other_customer, service=service("monitoring"))


def test_cancelling_keeps_the_service_until_the_end_of_the_month(other_customer):
    subscription = services.service_activate(
        customer=other_customer, service=service("monitoring"), now=at(2026, 11, 5, 10)
    )
    services.service_cancel(customer=other_customer, subscription=subscription, now=at(2026, 11, 21, 10))
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.CANCELLING
    assert subscription.ends_at == at(2026, 12, 1)
    assert selectors.service_active(customer=other_customer, code="monitoring", at=at(2026, 11, 30, 23, 59))
    assert not selectors.service_active(customer=other_customer, code="monitoring", at=at(2026, 12, 1, 0, 1))
    assert services.subscriptions_close(now=at(2026, 12, 1, 0, 5)) == 1
    assert services.subscriptions_close(now=at(2026, 12, 1, 0, 6)) == 0


def test_three_day_conference_switches_itself_off(other_customer):
    start = at(2026, 11, 21, 9)
    services.service_activate(customer=other_customer, service=service("conference_3_days"), now=start)
    assert selectors.service_active(customer=other_customer, code="conference_3_days", at=at(2026, 11, 24, 8))
    assert not selectors.service_active(customer=other_customer, code="conference_3_days", at=at(2026, 11, 24, 9, 1))
    charged = LedgerEntry.objects.for_customer(other_customer).get(amount_net__lt=0)
    assert charged.amount_net == Decimal("-10.00")


def test_monthly_fees_are_charged_once_even_when_the_job_runs_twice(other_customer):
    other_customer.created_at = at(2026, 10, 1)
    other_customer.save()
    services.service_activate(customer=other_customer, service=service("monitoring"), now=at(2026, 11, 10))
    first = services.monthly_fees_charge(customer=other_customer, month=at(2026, 12, 1, 0, 5))
    second = services.monthly_fees_charge(customer=other_customer, month=at(2026, 12, 1, 3, 0))
    assert (first, second) == (2, 0)  # package Start 49 + monitoring 22
    december = LedgerEntry.objects.for_customer(other_customer).filter(idempotency_key__startswith="monthly:2026-12")
    assert sorted(entry.amount_net for entry in december) == [Decimal("-49.00"), Decimal("-22.00")]


def test_a_service_ending_at_the_month_start_is_not_charged_for_that_month(other_customer):
    subscription = services.service_activate(
        customer=other_customer, service=service("monitoring"), now=at(2026, 11, 10)
    )
    services.service_cancel(customer=other_customer, subscription=subscription, now=at(2026, 11, 20))
    services.monthly_fees_charge(customer=other_customer, month=at(2026, 12, 1, 0, 5))
    assert not LedgerEntry.objects.for_customer(other_customer).filter(
        reason__contains="2026-12", subscription=subscription
    )


def test_ledger_entries_are_immutable(customer):
    entry = LedgerEntry.objects.for_customer(customer).first()
    entry.amount_net = Decimal("999")
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()


def test_top_up_derives_net_and_vat_from_the_gross_amount(other_customer):
    entry = services.balance_top_up(customer=other_customer, amount_gross=Decimal("100.00"), reason="Wpłata")
    assert (entry.amount_net, entry.amount_vat) == (Decimal("81.30"), Decimal("18.70"))
    with pytest.raises(ValidationError):
        services.balance_top_up(customer=other_customer, amount_gross=Decimal("0"), reason="x")


def test_balances_are_per_customer(customer, other_customer):
    services.balance_top_up(customer=other_customer, amount_gross=Decimal("50.00"), reason="x")
    assert selectors.balance(customer=customer).gross == Decimal("123.00")
    assert selectors.balance(customer=other_customer).gross == Decimal("50.00")


@pytest.mark.django_db(transaction=True)
def test_monthly_fee_job_runs_through_a_real_worker_twice_and_charges_once(rq, other_customer):
    from rq import SimpleWorker

    from billing.jobs import subscriptions
    from panel.jobqueue import enqueue_now

    other_customer.created_at = at(2026, 1, 1)
    other_customer.save()
    queue_low, queue_default = rq.get_queue("low"), rq.get_queue("default")
    worker = SimpleWorker([queue_low, queue_default], connection=queue_low.connection)
    for _ in range(2):
        enqueue_now(subscriptions.charge_monthly_fees)
        worker.work(burst=True)
    fees = LedgerEntry.objects.for_customer(other_customer).filter(kind="package_fee")
    assert fees.count() == 1 and fees.get().amount_net == Decimal("-49.00")


def test_teleconference_options_exclude_each_other(other_customer):
    services.service_activate(customer=other_customer, service=service("conference_month"))
    with pytest.raises(ValidationError, match="Masz już"):
        services.service_activate(customer=other_customer, service=service("conference_3_days"))
