"""Operators see every customer's push targets, runs and failures in the admin; secrets never appear."""

from datetime import date

import pytest
from django.urls import reverse

from recordings.models import PushTarget
from recordings.push.choices import PushProtocol, PushRunStatus
from recordings.push.services import push_target_save
from recordings.push.testing import push_settings
from recordings.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, operator):
    client.force_login(operator)
    return client


def test_failed_runs_are_listed_with_their_reason(admin_client, customer, other_customer):
    factories.push_run(customer, day=date(2026, 3, 29), status=PushRunStatus.FAILED, error="Zły login")
    factories.push_run(other_customer, day=date(2026, 3, 29), status=PushRunStatus.DONE)
    page = admin_client.get(reverse("admin:recordings_pushrun_changelist"), {"status__exact": "failed"})
    content = page.content.decode()
    assert page.status_code == 200
    assert "Zły login" in content and "firmaabcde" in content and "drugafirma" not in content


def test_push_again_action_queues_the_days(admin_client, customer, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr(
        "recordings.jobs.push.enqueue_push_unique",
        lambda customer_id, days, recheck=False: queued.append((customer_id, days, recheck)),
    )
    run = factories.push_run(customer, day=date(2026, 3, 29), status=PushRunStatus.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:recordings_pushrun_changelist"),
            {"action": "push_again", "_selected_action": [run.pk]},
        )
    run.refresh_from_db()
    assert run.status == PushRunStatus.QUEUED
    assert queued == [(customer.pk, [date(2026, 3, 29)], True)]


def test_target_page_never_shows_the_password(admin_client, customer):
    push_target_save(
        customer=customer, data=push_settings(PushProtocol.SFTP, ("backup.example.com", 22), password="sekret-123")
    )
    target = PushTarget.objects.get()
    page = admin_client.get(reverse("admin:recordings_pushtarget_change", args=[target.pk])).content.decode()
    assert "backup.example.com" in page
    assert "sekret-123" not in page and target.password_encrypted not in page
    for name in ("pushtarget", "pushrun", "pushconfirmation"):
        assert admin_client.get(reverse(f"admin:recordings_{name}_changelist")).status_code == 200
