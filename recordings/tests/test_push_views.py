"""The push pages as a customer uses them: settings, "Testuj połączenie", server key, history, "Wyślij ponownie"."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from recordings.crypto import decrypt_secret
from recordings.models import PushRun, PushTarget
from recordings.push.choices import PushProtocol, PushRunStatus
from recordings.push.days import local_day_of
from recordings.push.services import push_target_save
from recordings.push.testing import (
    TARGET_PASSWORD,
    TARGET_USER,
    push_settings,
    switch_push_on,
    writable_ftp_server,
)
from recordings.tests import factories
from recordings.tests.sftp_server import SftpTestServer

pytestmark = pytest.mark.django_db

PUSH_URL = reverse("recordings:push")
TEST_URL = reverse("recordings:push_test")


def form_data(**overrides) -> dict:
    data = {
        "protocol": "sftp",
        "host": "backup.example.com",
        "port": "",
        "username": "nagrania",
        "password": "tajne-haslo-1",
        "private_key": "",
        "passive_mode": "on",
        "verify_tls": "on",
        "path_template": "/nagrania/%Y/%m/%d/",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def pushing(customer):
    switch_push_on(customer)
    return customer


@pytest.fixture
def sftp_target(tmp_path):
    with SftpTestServer(tmp_path / "sftp", username=TARGET_USER, password=TARGET_PASSWORD) as server:
        yield server


# --- the service off


def test_service_off_explains_and_links_to_services_instead_of_the_form(client_user):
    response = client_user.get(PUSH_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Automatyczne przesyłanie nagrań" in page
    assert reverse("billing:service_activate", args=["recording_push"]) in page
    assert "149,00" in page and "49,00" in page
    assert 'name="host"' not in page


def test_service_off_refuses_to_save(client_user, customer):
    response = client_user.post(PUSH_URL, form_data())
    assert response.status_code == 302
    assert not PushTarget.objects.exists()


# --- settings


@pytest.mark.smoke
def test_settings_are_saved_with_the_password_encrypted_and_never_shown(pushing, client_user):
    response = client_user.post(PUSH_URL, form_data())
    assert response.status_code == 302
    target = PushTarget.objects.for_customer(pushing).get()
    assert target.port == 22  # the default for SFTP
    assert "tajne-haslo-1" not in target.password_encrypted
    assert decrypt_secret(target.password_encrypted) == "tajne-haslo-1"

    page = client_user.get(PUSH_URL).content.decode()
    assert "tajne-haslo-1" not in page
    assert "•••• (zapisane)" in page
    assert 'value="backup.example.com"' in page


def test_an_empty_password_keeps_the_saved_one(pushing, client_user):
    client_user.post(PUSH_URL, form_data())
    client_user.post(PUSH_URL, form_data(password="", protocol="ftps", host="ftp.example.com"))
    target = PushTarget.objects.for_customer(pushing).get()
    assert (target.protocol, target.host, target.port) == ("ftps", "ftp.example.com", 21)
    assert decrypt_secret(target.password_encrypted) == "tajne-haslo-1"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("host", "", "Podaj nazwę"),
        ("host", "bad host!", "Podaj poprawną nazwę"),
        ("host", "-x.example.com", "Podaj poprawną nazwę"),
        ("port", "70000", "65535"),
        ("path_template", "nagrania/%Y/", "musi zaczynać się od „/”"),
        ("path_template", "/nagrania/../etc/", "nie może zawierać „..”"),
        ("path_template", "/nagrania/%H/", "Nieznany symbol %H"),
        ("path_template", "/nagrania/{customer}/", "Nieznany symbol {customer}"),
        ("private_key", "not a key", "To nie jest klucz prywatny"),
    ],
)
def test_invalid_settings_are_refused_with_a_polish_message(pushing, client_user, field, value, message):
    response = client_user.post(PUSH_URL, form_data(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PushTarget.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("host", "ftp.przykład.pl"),
        ("host", "8.8.8.8"),
        ("host", "[2001:db8::1]"),
        ("path_template", "/"),
        ("path_template", "/kopie/{prefix}/%Y-%m/%d"),
    ],
)
def test_valid_variants_are_accepted(pushing, client_user, field, value):
    response = client_user.post(PUSH_URL, form_data(**{field: value}))
    assert response.status_code == 302, response.content.decode()[:3000]


def test_private_addresses_are_refused_in_production(pushing, client_user, settings):
    settings.PUSH_ALLOW_PRIVATE_TARGETS = False
    for host in ("127.0.0.1", "10.1.2.3", "192.168.0.10", "localhost", "[::1]"):
        response = client_user.post(PUSH_URL, form_data(host=host))
        assert "prywatny" in response.content.decode(), host
    assert not PushTarget.objects.exists()
    settings.PUSH_ALLOW_PRIVATE_TARGETS = True
    assert client_user.post(PUSH_URL, form_data(host="127.0.0.1")).status_code == 302


def test_a_password_or_key_is_required(pushing, client_user):
    response = client_user.post(PUSH_URL, form_data(password=""))
    assert "Podaj hasło" in response.content.decode()
    response = client_user.post(PUSH_URL, form_data(protocol="ftp", password=""))
    assert "Podaj hasło" in response.content.decode()
    assert not PushTarget.objects.exists()


def test_a_key_only_works_with_sftp(pushing, client_user):
    import io

    import paramiko

    text = io.StringIO()
    paramiko.ECDSAKey.generate().write_private_key(text)
    response = client_user.post(PUSH_URL, form_data(protocol="ftps", private_key=text.getvalue()))
    assert "tylko z SFTP" in response.content.decode()
    response = client_user.post(PUSH_URL, form_data(password="", private_key=text.getvalue()))
    assert response.status_code == 302
    target = PushTarget.objects.get()
    assert target.has_private_key and not target.has_password
    assert "PRIVATE KEY" not in client_user.get(PUSH_URL).content.decode()


def test_changing_the_server_forgets_its_key(pushing, client_user):
    client_user.post(PUSH_URL, form_data())
    PushTarget.objects.update(host_key_fingerprint="SHA256:abc")
    client_user.post(PUSH_URL, form_data(password="", username="other"))
    assert PushTarget.objects.get().host_key_fingerprint == "SHA256:abc"  # same server
    client_user.post(PUSH_URL, form_data(password="", host="other.example.com"))
    assert PushTarget.objects.get().host_key_fingerprint == ""


# --- "Testuj połączenie"


def test_connection_test_without_javascript_shows_every_step_on_the_page(pushing, client_user, sftp_target):
    host, port = sftp_target.address
    response = client_user.post(
        TEST_URL, form_data(host=host, port=str(port), username=TARGET_USER, password=TARGET_PASSWORD)
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1" in page and 'data-testid="push-test-result"' in page
    assert page.count('data-status="ok"') == 5
    for label in ("DNS", "Połączenie z serwerem", "Logowanie", "Prawo zapisu"):
        assert label in page
    assert TARGET_PASSWORD not in page
    assert not PushTarget.objects.exists()  # testing does not save


def test_connection_test_with_htmx_returns_only_the_result(pushing, client_user, sftp_target):
    host, port = sftp_target.address
    response = client_user.post(
        TEST_URL, form_data(host=host, port=str(port), password="wrong"), HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert "<h1" not in page and "<html" not in page
    assert 'data-step="login" data-status="failed"' in page
    assert 'data-step="write" data-status="not_checked"' in page


def test_connection_test_of_an_invalid_form_lists_the_problems(pushing, client_user):
    response = client_user.post(TEST_URL, form_data(host="", path_template="x"), HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "Najpierw popraw ustawienia" in page
    assert "musi zaczynać się od „/”" in page


def test_testing_the_saved_server_remembers_its_key(pushing, client_user, sftp_target):
    host, port = sftp_target.address
    client_user.post(PUSH_URL, form_data(host=host, port=str(port), username=TARGET_USER, password=TARGET_PASSWORD))
    response = client_user.post(TEST_URL, form_data(host=host, port=str(port), username=TARGET_USER, password=""))
    target = PushTarget.objects.get()
    assert target.host_key_fingerprint.startswith("SHA256:")
    assert target.host_key_fingerprint in response.content.decode()


def test_connection_test_with_the_service_off(client_user):
    response = client_user.post(TEST_URL, form_data(), HTTP_HX_REQUEST="true")
    assert "Usługi / Oferta" in response.content.decode()


# --- the server key


def test_a_changed_key_is_shown_and_can_be_accepted(pushing, client_user):
    push_target_save(customer=pushing, data=push_settings(PushProtocol.SFTP, ("backup.example.com", 22)))
    PushTarget.objects.update(host_key_fingerprint="SHA256:old", host_key_offered="SHA256:new")
    page = client_user.get(PUSH_URL).content.decode()
    assert "SHA256:old" in page and "SHA256:new" in page
    assert "przesyłanie jest wstrzymane" in page

    client_user.post(reverse("recordings:push_host_key"), {"action": "accept"})
    target = PushTarget.objects.get()
    assert (target.host_key_fingerprint, target.host_key_offered) == ("SHA256:new", "")


def test_forgetting_the_key(pushing, client_user):
    push_target_save(customer=pushing, data=push_settings(PushProtocol.SFTP, ("backup.example.com", 22)))
    PushTarget.objects.update(host_key_fingerprint="SHA256:old")
    client_user.post(reverse("recordings:push_host_key"), {"action": "forget"})
    assert PushTarget.objects.get().host_key_fingerprint == ""


# --- history and "Wyślij ponownie"


def test_history_lists_runs_with_status_counts_and_errors(pushing, client_user):
    factories.push_run(pushing, day=date(2026, 3, 29), status=PushRunStatus.DONE, uploaded_count=7, total_count=7)
    factories.push_run(pushing, day=date(2026, 3, 30), status=PushRunStatus.FAILED, error="Serwer odmówił logowania")
    page = client_user.get(PUSH_URL).content.decode()
    assert "Historia przesyłania" in page
    assert "2026-03-29" in page and "2026-03-30" in page and "Serwer odmówił logowania" in page

    history = client_user.get(reverse("recordings:push_history"), {"q": "2026-03-30"}).content.decode()
    assert "2026-03-30" in history and "2026-03-29" not in history
    assert "błąd" in history


def test_history_paginates(pushing, client_user):
    for offset in range(30):
        factories.push_run(pushing, day=date(2026, 1, 1) + timedelta(days=offset))
    page = client_user.get(reverse("recordings:push_history")).content.decode()
    assert "Strona 1 z 2" in page


def test_run_detail_and_another_customers_run(pushing, client_user, other_customer):
    mine = factories.push_run(pushing, day=date(2026, 3, 29), status=PushRunStatus.FAILED, error="x")
    theirs = factories.push_run(other_customer, day=date(2026, 3, 29), error="Ich błąd")
    assert client_user.get(reverse("recordings:push_run", args=[mine.pk])).status_code == 200
    assert client_user.get(reverse("recordings:push_run", args=[theirs.pk])).status_code == 404
    assert client_user.get(reverse("recordings:push_run", args=[999999])).status_code == 404
    assert "Ich błąd" not in client_user.get(reverse("recordings:push_history")).content.decode()
    assert "Ich błąd" not in client_user.get(PUSH_URL).content.decode()


def test_another_customers_settings_are_never_shown_or_changed(pushing, client_user, other_customer):
    push_target_save(
        customer=other_customer, data=push_settings(PushProtocol.FTP, ("their.example.com", 21), username="ich")
    )
    page = client_user.get(PUSH_URL).content.decode()
    assert "their.example.com" not in page
    client_user.post(PUSH_URL, form_data())
    assert PushTarget.objects.for_customer(other_customer).get().host == "their.example.com"
    assert PushTarget.objects.count() == 2


def test_resend_asks_first_then_queues_the_day(pushing, client_user, django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr(
        "recordings.jobs.push.enqueue_push_unique",
        lambda customer_id, days, recheck=False: queued.append((customer_id, days, recheck)),
    )
    url = reverse("recordings:push_resend")
    page = client_user.get(url, {"day": "2026-03-29"}).content.decode()
    assert 'value="2026-03-29"' in page and "Tak, wyślij ponownie" in page
    assert not PushRun.objects.exists()  # asking changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client_user.post(url, {"day": "2026-03-29", "confirm": "yes"})
    assert response.status_code == 302
    run = PushRun.objects.for_customer(pushing).get()
    assert (run.day, run.status) == (date(2026, 3, 29), PushRunStatus.QUEUED)
    assert queued == [(pushing.pk, [date(2026, 3, 29)], True)]


def test_resend_refuses_today_and_needs_the_confirmation(pushing, client_user):
    url = reverse("recordings:push_resend")
    today = local_day_of(timezone.now())
    response = client_user.post(url, {"day": today.isoformat(), "confirm": "yes"})
    assert "dzień, który się skończył" in response.content.decode()
    client_user.post(url, {"day": "2026-03-29"})  # no confirm=yes
    client_user.post(url, {"day": "not a day", "confirm": "yes"})
    assert not PushRun.objects.exists()


def test_ftp_target_test_through_the_page(pushing, client_user, tmp_path):
    with writable_ftp_server(tmp_path / "ftp") as (server, _faults):
        host, port = server.address
        response = client_user.post(
            TEST_URL,
            form_data(protocol="ftp", host=host, port=str(port), username=TARGET_USER, password=TARGET_PASSWORD),
        )
    page = response.content.decode()
    assert page.count('data-status="ok"') == 4 and 'data-status="skipped"' in page
    assert "nieszyfrowane" in page or "bez szyfrowania" in page
