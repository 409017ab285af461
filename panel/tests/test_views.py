import pytest
from django.core import mail
from django.urls import reverse

from panel.models import LoginLock
from panel.testing import PASSWORD

pytestmark = pytest.mark.django_db


def post_login(client, username, password, ip="192.0.2.10"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.smoke
def test_login_with_correct_password_opens_the_dashboard(client, user):
    response = post_login(client, "demo", PASSWORD)
    assert response.status_code == 302 and response.url == reverse("dashboard")
    page = client.get(reverse("dashboard"))
    assert "Biznes" in page.content.decode()


@pytest.mark.smoke
def test_five_wrong_passwords_lock_the_account_with_a_polish_message(client, user):
    for _ in range(4):
        response = post_login(client, "demo", "wrong-password")
        assert "Wprowadź poprawne" in response.content.decode()
    response = post_login(client, "demo", "wrong-password")
    assert "Zbyt wiele nieudanych prób logowania" in response.content.decode()
    # Even the right password is refused while the lock lasts, from another address too.
    response = post_login(client, "demo", PASSWORD, ip="192.0.2.99")
    assert response.status_code == 200
    assert "Zbyt wiele nieudanych prób logowania" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lock_ends_when_the_operator_unlocks(client, user):
    for _ in range(5):
        post_login(client, "demo", "wrong-password")
    LoginLock.objects.all().delete()
    assert post_login(client, "demo", PASSWORD).status_code == 302


def test_anonymous_user_is_sent_to_log_in(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_language_switch_to_english(client_user):
    client_user.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client_user.get(reverse("dashboard")).content.decode()
    assert "Virtual PBX" in html and "Wirtualna Centrala" not in html


def test_operator_is_sent_to_the_admin(client, operator):
    client.force_login(operator)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response.url == reverse("admin:index")


def test_password_reset_sends_a_link_by_email(client, user):
    response = client.post(reverse("password_reset"), {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "/password/reset/" in mail.outbox[0].body


def test_password_reset_for_unknown_address_sends_nothing_and_reveals_nothing(client, user):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_change(client_user, user):
    response = client_user.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Nowe-haslo-2026", "new_password2": "Nowe-haslo-2026"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Nowe-haslo-2026")


def test_user_list_shows_only_own_users_and_searches(client_user, other_user):
    html = client_user.get(reverse("panel:users")).content.decode()
    assert "demo" in html and "drugi" not in html
    html = client_user.get(reverse("panel:users"), {"q": "zzz"}).content.decode()
    assert "demo@firmaabcde" not in html


def test_healthz(client):
    assert client.get("/healthz").content == b"ok"


def test_oversized_request_body_is_refused_before_reading(client_user, settings):
    settings.MAX_REQUEST_BYTES = 1000
    response = client_user.post(reverse("panel:users"), data=b"x" * 2000, content_type="application/octet-stream")
    assert response.status_code == 413
    assert "za duży" in response.content.decode()


def test_pagination_keeps_search_and_sort(client_user, customer):
    from panel.models import User

    for index in range(30):
        User.objects.create(username=f"worker{index:02d}", customer=customer)
    html = client_user.get(reverse("panel:users"), {"q": "worker", "sort": "name"}).content.decode()
    assert "?q=worker&amp;sort=name&amp;page=2" in html


def test_recording_uploads_may_be_larger_than_other_requests(client, settings):
    settings.MAX_REQUEST_BYTES = 1000
    settings.LARGE_REQUEST_PATHS = {"/api/v1/recordings/": 5000}
    response = client.post("/api/v1/recordings/", data=b"x" * 2000, content_type="application/octet-stream")
    assert response.status_code != 413  # passes the size check (and is refused later for having no token)
    response = client.post("/api/v1/recordings/", data=b"x" * 6000, content_type="application/octet-stream")
    assert response.status_code == 413
