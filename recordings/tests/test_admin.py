"""Operators see recordings per customer with size totals, FTP accounts without passwords, and the FTP log."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from recordings import services
from recordings.choices import FtpEvent
from recordings.models import FtpAccount
from recordings.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, operator):
    client.force_login(operator)
    return client


def test_recordings_list_shows_customer_and_total_size(admin_client, customer, other_customer, storage):
    factories.recording(customer, started_at=datetime(2026, 3, 29, 8, tzinfo=UTC), content=b"x" * 1500, storage=storage)
    factories.recording(customer, started_at=datetime(2026, 3, 29, 9, tzinfo=UTC), content=b"x" * 1500, storage=storage)
    factories.recording(other_customer, started_at=datetime(2026, 3, 29, 9, tzinfo=UTC), content=b"y", storage=storage)
    url = reverse("admin:recordings_recording_changelist")
    page = admin_client.get(url).content.decode()
    assert "Pokazane nagrania: 3, łączny rozmiar" in page
    filtered = admin_client.get(url, {"customer__id__exact": customer.pk}).content.decode()
    assert "Pokazane nagrania: 2, łączny rozmiar 2,9\xa0KB" in filtered
    searched = admin_client.get(url, {"q": "drugafirma"}).content.decode()
    assert "Pokazane nagrania: 1," in searched


def test_recordings_cannot_be_added_or_deleted_in_the_admin(admin_client, customer, storage):
    recording = factories.recording(
        customer, started_at=datetime(2026, 3, 29, tzinfo=UTC), content=b"x", storage=storage
    )
    assert admin_client.get(reverse("admin:recordings_recording_add")).status_code == 403
    assert admin_client.get(reverse("admin:recordings_recording_delete", args=[recording.pk])).status_code == 403
    assert admin_client.get(reverse("admin:recordings_recording_change", args=[recording.pk])).status_code == 200


def test_ftp_accounts_never_show_the_password(admin_client, customer):
    password = services.ftp_password_reveal(customer=customer)
    account = FtpAccount.objects.get(customer=customer)
    for url in (
        reverse("admin:recordings_ftpaccount_changelist"),
        reverse("admin:recordings_ftpaccount_change", args=[account.pk]),
    ):
        page = admin_client.get(url).content.decode()
        assert "firmaabcde" in page
        assert password not in page
        assert account.password_hash not in page and account.password_encrypted not in page


def test_operator_can_add_an_account_and_disable_it(admin_client, customer):
    response = admin_client.post(
        reverse("admin:recordings_ftpaccount_add"), {"customer": customer.pk, "is_enabled": ""}
    )
    assert response.status_code == 302
    account = FtpAccount.objects.get(customer=customer)
    assert not account.is_enabled
    assert account.password_hash.startswith("hmac-sha256$")
    response = admin_client.post(reverse("admin:recordings_ftpaccount_change", args=[account.pk]), {"is_enabled": "on"})
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.is_enabled


def test_regenerate_action_changes_the_password(admin_client, customer):
    before = services.ftp_password_reveal(customer=customer)
    account = FtpAccount.objects.get(customer=customer)
    response = admin_client.post(
        reverse("admin:recordings_ftpaccount_changelist"),
        {"action": "regenerate_password", "_selected_action": [account.pk]},
        follow=True,
    )
    assert "Wygenerowano nowe hasło dla 1 konta." in response.content.decode()
    assert services.ftp_password_reveal(customer=customer) != before


def test_ftp_log_is_listed_and_read_only(admin_client, customer):
    services.ftp_log_record(
        event=FtpEvent.LOGIN_FAILED, login="intruz", ip="203.0.113.9", detail="Authentication failed."
    )
    url = reverse("admin:recordings_ftplogentry_changelist")
    page = admin_client.get(url, {"q": "203.0.113.9"}).content.decode()
    assert "intruz" in page and "nieudane logowanie" in page
    assert admin_client.get(reverse("admin:recordings_ftplogentry_add")).status_code == 403
