"""Operators find calls that cannot be rated in the admin and re-rate them after fixing the tariff."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.choices import LedgerKind, RatingStatus
from billing.ingestion import call_record_ingest
from billing.models import CallRecord, LedgerEntry, Tariff, TariffRate
from billing.rating_service import call_records_rate
from billing.tests import factories
from billing.tests.rating_support import call_payload

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:billing_callrecord_changelist")


@pytest.fixture
def admin_client(client, operator):
    client.force_login(operator)
    return client


@pytest.fixture
def flagged(customer, other_customer):
    """One unratable call of each customer (a destination missing from the default tariff), one rated call."""
    TariffRate.objects.filter(tariff__is_default=True, prefix__in=["+", "+420"]).delete()
    records = [
        call_record_ingest(customer=customer, payload=call_payload(call_id="cz-1", callee="+420212345678"))[0],
        call_record_ingest(customer=other_customer, payload=call_payload(call_id="cn-1", callee="+861012345678"))[0],
    ]
    call_record_ingest(customer=customer, payload=call_payload(call_id="pl-1", callee="+48221234567"))
    call_records_rate(customer=customer)
    call_records_rate(customer=other_customer)
    return records


def test_unratable_calls_are_listed_with_the_reason(admin_client, flagged):
    html = admin_client.get(CHANGELIST, {"attention": "unratable"}).content.decode()
    assert "+420212345678" in html and "+861012345678" in html
    assert "+48221234567" not in html  # rated: not in this list
    assert "Standard" in html  # the reason names the tariff


def test_calls_stuck_in_pending_are_listed(admin_client, customer):
    record, _ = call_record_ingest(customer=customer, payload=call_payload(callee="+48600111222"))
    html = admin_client.get(CHANGELIST, {"attention": "stuck"}).content.decode()
    assert "+48600111222" not in html  # just arrived: its job is on the way
    CallRecord.objects.filter(pk=record.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    html = admin_client.get(CHANGELIST, {"attention": "stuck"}).content.decode()
    assert "+48600111222" in html


def test_rerate_action_charges_fixed_calls_and_corrects_by_the_difference(admin_client, flagged, customer, operator):
    default = Tariff.objects.get(is_default=True)
    factories.tariff_rate(default, prefix="+420", destination="Czechy", price_per_minute="0.09")
    factories.tariff_rate(default, prefix="+", destination="Reszta świata", price_per_minute="1.99")
    response = admin_client.post(
        CHANGELIST,
        {"action": "rerate", "_selected_action": [record.pk for record in flagged]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Przeliczono ponownie 2 połączenia" in response.content.decode()
    czech, chinese = (CallRecord.objects.get(pk=record.pk) for record in flagged)
    assert (czech.rating_status, czech.cost_net) == (RatingStatus.RATED, Decimal("0.20"))  # 132 s × 0.09
    assert chinese.cost_net == Decimal("4.38")  # 132 s × 1.99
    charge = LedgerEntry.objects.get(call=czech)
    assert (charge.kind, charge.amount_net, charge.created_by) == (LedgerKind.CALL, Decimal("-0.20"), operator)
    assert charge.customer == customer
    assert LedgerEntry.objects.get(call=chinese).customer == chinese.customer

    TariffRate.objects.filter(tariff=default, prefix="+420").update(price_per_minute=Decimal("0.10"))
    admin_client.post(CHANGELIST, {"action": "rerate", "_selected_action": [czech.pk]})
    adjustment = LedgerEntry.objects.filter(call=czech, kind=LedgerKind.ADJUSTMENT).get()
    assert adjustment.amount_net == Decimal("-0.02")  # 0.22 now, 0.20 charged before


def test_rerate_reports_calls_that_still_cannot_be_rated(admin_client, flagged):
    response = admin_client.post(CHANGELIST, {"action": "rerate", "_selected_action": [flagged[0].pk]}, follow=True)
    assert "nadal nie można wycenić" in response.content.decode()
    assert not LedgerEntry.objects.filter(call=flagged[0]).exists()


def test_call_records_are_read_only_for_operators(admin_client, flagged):
    record = flagged[0]
    url = reverse("admin:billing_callrecord_change", args=[record.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="cost_net"' not in page.content.decode()
    admin_client.post(url, {"cost_net": "0.00", "rating_status": "rated"})
    record.refresh_from_db()
    assert record.rating_status == RatingStatus.UNRATABLE and record.cost_net is None
