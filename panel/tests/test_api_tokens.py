"""Klucze API: a customer creates keys for its PBX (shown once), sees them listed and revokes them."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from panel.models import ApiToken
from panel.models.api import hash_token
from panel.views_api_tokens import MAX_ACTIVE_TOKENS

pytestmark = pytest.mark.django_db
LIST = reverse("panel:api_tokens")


def create(client, name="Centrala w biurze"):
    return client.post(LIST, {"name": name})


def shown_key(response) -> str:
    return re.search(r'<input[^>]*id="api-key"[^>]*value="([^"]+)"', response.content.decode()).group(1)


@pytest.mark.smoke
def test_page_lists_only_the_customers_own_keys(client_user, customer, other_customer):
    ApiToken.issue(customer=customer, name="Biuro Koszalin")
    ApiToken.issue(customer=other_customer, name="Obca centrala")
    response = client_user.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in html and "Klucze API" in html
    assert "Biuro Koszalin" in html and "Obca centrala" not in html
    assert "/api/v1/schema/" in html


def test_creating_a_key_shows_it_once_and_stores_only_its_hash(client_user, customer):
    response = create(client_user)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    key = shown_key(response)
    token = ApiToken.objects.get()
    assert (token.customer, token.name, token.key_prefix) == (customer, "Centrala w biurze", key[:8])
    assert token.key_hash == hash_token(key) and key not in token.key_hash
    assert "nie pokażemy go ponownie" in response.content.decode()

    listing = client_user.get(LIST).content.decode()
    assert key not in listing  # never again
    assert f"{key[:8]}…" in listing


def test_the_new_key_works_for_the_api_and_a_revoked_one_does_not(client_user):
    key = shown_key(create(client_user))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/calls/missing/").status_code == 404  # authenticated: just no such call
    token = ApiToken.objects.get()
    client_user.post(reverse("panel:api_token_revoke", args=[token.pk]))
    assert api.get("/api/v1/calls/missing/").status_code == 401


def test_a_key_needs_a_name(client_user):
    response = create(client_user, name="   ")
    assert response.status_code == 200
    assert "To pole jest wymagane." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_long_name_is_refused(client_user):
    response = create(client_user, name="x" * 101)
    assert "100" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_at_most_20_active_keys(client_user, customer):
    for number in range(MAX_ACTIVE_TOKENS):
        ApiToken.issue(customer=customer, name=f"Klucz {number}")
    response = create(client_user, name="Jeden za dużo")
    assert "najwyżej 20 aktywnych kluczy" in response.content.decode()
    assert ApiToken.objects.count() == MAX_ACTIVE_TOKENS
    ApiToken.objects.filter(name="Klucz 0").update(revoked_at=timezone.now())
    shown_key(create(client_user, name="Teraz się zmieści"))
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == MAX_ACTIVE_TOKENS


def test_revoking_asks_first_then_keeps_the_key_listed_as_revoked(client_user, customer):
    token, _key = ApiToken.issue(customer=customer, name="Stara centrala")
    url = reverse("panel:api_token_revoke", args=[token.pk])
    page = client_user.get(url).content.decode()
    assert "Unieważnij klucz API" in page and "Stara centrala" in page
    token.refresh_from_db()
    assert token.revoked_at is None  # looking at the question changes nothing

    response = client_user.post(url, follow=True)
    token.refresh_from_db()
    assert token.revoked_at is not None
    html = response.content.decode()
    assert "Klucz „Stara centrala” został unieważniony" in html
    row = re.search(r"<tr[^>]*>\s*<td>Stara centrala</td>.*?</tr>", html, re.S).group(0)
    assert "unieważniony" in row and "Unieważnij" not in row.replace("unieważniony", "")

    again = client_user.post(url, follow=True).content.decode()
    assert "był już unieważniony" in again


def test_another_customers_key_cannot_be_revoked(client_user, other_customer):
    token, _key = ApiToken.issue(customer=other_customer, name="Obca")
    url = reverse("panel:api_token_revoke", args=[token.pk])
    assert client_user.get(url).status_code == 404
    assert client_user.post(url).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_search_and_pagination(client_user, customer):
    for number in range(30):
        ApiToken.issue(customer=customer, name=f"Oddział {number:02d}")
    ApiToken.issue(customer=customer, name="Magazyn")
    html = client_user.get(LIST, {"q": "magaz"}).content.decode()
    assert "Magazyn" in html and "Oddział" not in html
    first = client_user.get(LIST).content.decode()
    assert first.count("<code>") - first.count("Authorization") == 25
    assert "Strona 1 z 2" in first


def test_active_keys_are_listed_before_revoked_ones(client_user, customer):
    old, _key = ApiToken.issue(customer=customer, name="Unieważniony")
    ApiToken.objects.filter(pk=old.pk).update(revoked_at=timezone.now())
    ApiToken.issue(customer=customer, name="Działający")
    html = client_user.get(LIST).content.decode()
    assert html.index("Działający") < html.index("Unieważniony")


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(LIST)
    assert response.status_code == 302 and "/login/" in response["Location"]
