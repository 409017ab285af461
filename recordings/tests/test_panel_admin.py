"""Operators: recordings per customer with size totals (page and action), and the retention job's log."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from billing.models import Service
from billing.services import service_activate
from recordings import retention
from recordings.tests import factories

pytestmark = pytest.mark.django_db

TOTALS = reverse("admin:recordings_recording_customer_totals")


@pytest.fixture
def admin_client(client, operator):
    client.force_login(operator)
    return client


@pytest.fixture
def recordings(customer, other_customer, storage):
    at = datetime(2026, 3, 29, 8, tzinfo=UTC)
    mine = [
        factories.recording(
            customer, started_at=at + timedelta(hours=n), content=b"x" * 1500, storage=storage, call_id=f"m{n}"
        )
        for n in range(2)
    ]
    theirs = factories.recording(other_customer, started_at=at, content=b"y" * 100, storage=storage, call_id="t")
    return mine, theirs


def test_per_customer_totals_page(admin_client, customer, recordings):
    service_activate(
        customer=customer,
        service=Service.objects.get(code="retention_extension"),
        quantity=2,
        now=datetime(2026, 1, 1, tzinfo=UTC),
    )
    response = admin_client.get(TOTALS)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(row["customer__prefix"], row["count"], row["size"], row["retention_days"]) for row in rows] == [
        ("firmaabcde", 2, 3000, 90),
        ("drugafirma", 1, 100, 30),
    ]
    page = response.content.decode()
    assert "Nagrania według klientów" in page
    assert 'data-bytes="3000"' in page
    assert response.context["total_size"] == 3100


def test_action_opens_the_totals_of_the_selected_recordings_customers(admin_client, other_customer, recordings):
    _, theirs = recordings
    response = admin_client.post(
        reverse("admin:recordings_recording_changelist"),
        {"action": "show_customer_totals", "_selected_action": [theirs.pk]},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{TOTALS}?customer__id__in={other_customer.pk}"
    rows = admin_client.get(response["Location"]).context["rows"]
    assert [row["customer__prefix"] for row in rows] == ["drugafirma"]


def test_totals_page_is_for_operators_only(client_user, recordings):
    assert client_user.get(TOTALS).status_code == 302


def test_retention_log_is_listed_for_operators(admin_client, customer, storage):
    now = datetime(2026, 6, 15, tzinfo=UTC)
    factories.recording(customer, started_at=now - timedelta(days=40), content=b"z" * 10, storage=storage)
    retention.retention_run(now=now, storage=storage)
    page = admin_client.get(reverse("admin:recordings_retentionlog_changelist")).content.decode()
    assert "firmaabcde" in page
