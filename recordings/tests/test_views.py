"""The customer's FTP access block in the panel: data shown, password revealed on request, a new password."""

import pytest
from django.urls import reverse

from recordings import services
from recordings.choices import FtpEvent
from recordings.models import FtpAccount, FtpLogEntry

pytestmark = pytest.mark.django_db

ACCESS = reverse("recordings:ftp_access")
REVEAL = reverse("recordings:ftp_password")
REGENERATE = reverse("recordings:ftp_password_regenerate")


@pytest.mark.smoke
def test_page_shows_server_port_and_login_but_not_the_password(client_user, customer, settings):
    settings.FTP_PUBLIC_HOST = "archive.example.pl"
    settings.FTP_PUBLIC_PORT = 21
    response = client_user.get(ACCESS)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1" in page and "Dostęp FTP do nagrań" in page
    assert "archive.example.pl" in page
    assert 'data-testid="ftp-port">21<' in page
    assert 'data-testid="ftp-login">firmaabcde<' in page
    assert "Pokaż hasło" in page
    assert "Wygeneruj nowe hasło" in page
    assert services.ftp_password_reveal(customer=customer) not in page


def test_reveal_without_javascript_shows_the_whole_page_with_the_password(client_user, customer):
    response = client_user.post(REVEAL)
    assert response.status_code == 200
    password = services.ftp_password_reveal(customer=customer)
    page = response.content.decode()
    assert f'data-testid="ftp-password">{password}<' in page
    assert "<html" in page
    assert "no-store" in response["Cache-Control"]


def test_reveal_with_htmx_returns_only_the_fragment(client_user, customer):
    response = client_user.post(REVEAL, headers={"HX-Request": "true"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page
    assert page.strip().startswith('<div id="ftp-password"')
    assert services.ftp_password_reveal(customer=customer) in page
    assert "no-store" in response["Cache-Control"]


def test_reveal_is_logged_with_the_user_and_address(client_user, customer):
    client_user.post(REVEAL)
    entry = FtpLogEntry.objects.get(event=FtpEvent.PASSWORD_SHOWN)
    assert (entry.customer, entry.detail, entry.ip) == (customer, "demo", "127.0.0.1")


def test_reveal_only_by_post(client_user):
    assert client_user.get(REVEAL).status_code == 405


def test_regenerate_asks_first_and_changes_nothing_until_confirmed(client_user, customer):
    before = services.ftp_password_reveal(customer=customer)
    confirmation = client_user.get(REGENERATE)
    assert confirmation.status_code == 200
    assert "przestanie działać" in confirmation.content.decode()
    unconfirmed = client_user.post(REGENERATE)
    assert unconfirmed.status_code == 200
    assert services.ftp_password_reveal(customer=customer) == before


def test_confirmed_regenerate_changes_the_password_and_says_so(client_user, customer):
    before = services.ftp_password_reveal(customer=customer)
    response = client_user.post(REGENERATE, {"confirm": "yes"}, follow=True)
    assert response.redirect_chain == [(ACCESS, 302)]
    after = services.ftp_password_reveal(customer=customer)
    assert after != before
    assert "Wygenerowano nowe hasło do FTP" in response.content.decode()
    assert after not in response.content.decode()  # shown only on request
    assert FtpLogEntry.objects.filter(event=FtpEvent.PASSWORD_CHANGED, customer=customer, detail="demo").exists()


def test_disabled_access_is_explained(client_user, customer):
    FtpAccount.objects.filter(pk=services.ftp_account_ensure(customer=customer).pk).update(is_enabled=False)
    assert "Dostęp przez FTP jest wyłączony" in client_user.get(ACCESS).content.decode()


def test_required_tls_is_mentioned(client_user, settings):
    settings.FTP_REQUIRE_TLS = True
    assert "FTPS" in client_user.get(ACCESS).content.decode()


@pytest.mark.smoke
@pytest.mark.parametrize("url", [ACCESS, REGENERATE])
def test_guests_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_guest_cannot_reveal(client, customer):
    services.ftp_account_ensure(customer=customer)
    response = client.post(REVEAL)
    assert response.status_code == 302
    assert FtpLogEntry.objects.filter(event=FtpEvent.PASSWORD_SHOWN).count() == 0


def test_operator_is_sent_to_the_administration(client, operator):
    client.force_login(operator)
    assert client.get(ACCESS)["Location"] == reverse("admin:index")


def test_each_customer_sees_and_reveals_only_its_own_credentials(client, user, other_user, customer, other_customer):
    mine = services.ftp_password_reveal(customer=customer)
    theirs = services.ftp_password_reveal(customer=other_customer)
    client.force_login(other_user)
    page = client.get(ACCESS).content.decode()
    assert 'data-testid="ftp-login">drugafirma<' in page and "firmaabcde" not in page
    revealed = client.post(REVEAL).content.decode()
    assert theirs in revealed and mine not in revealed
    client.post(REGENERATE, {"confirm": "yes"})
    assert services.ftp_password_reveal(customer=customer) == mine  # the other customer's action never touches ours
    assert services.ftp_password_reveal(customer=other_customer) != theirs
