"""Browser: a customer creates an API key for the PBX, sees it exactly once, and revokes it."""

import re

import pytest
from playwright.sync_api import expect

from panel.models import ApiToken
from panel.models.api import hash_token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_an_api_key_see_it_once_and_revoke_it(logged_in_page, live_server):
    page = logged_in_page
    page.locator("#main-menu").get_by_role("button", name="Konto i Finanse", exact=True).click()
    page.locator("#main-menu").get_by_role("link", name="Klucze API", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Klucze API")
    expect(page.get_by_test_id("api-tokens")).to_contain_text("Nie masz jeszcze kluczy API.")

    page.get_by_role("button", name="Utwórz klucz").click()  # no name yet
    expect(page.get_by_text("To pole jest wymagane.")).to_be_visible()

    page.get_by_label("Nazwa klucza", exact=True).fill("Centrala w biurze")
    page.get_by_role("button", name="Utwórz klucz").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Twój nowy klucz API")
    expect(page.get_by_role("alert")).to_contain_text("nie pokażemy go ponownie")
    key_field = page.get_by_label("Klucz API", exact=True)
    key = key_field.input_value()
    assert re.fullmatch(r"[A-Za-z0-9_-]{40,}", key)
    assert ApiToken.objects.get().key_hash == hash_token(key)
    expect(page.get_by_role("button", name="Kopiuj")).to_be_visible()  # JavaScript adds the copy button

    page.get_by_role("link", name="Gotowe, klucz jest skopiowany").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Klucze API")
    row = page.get_by_test_id("api-tokens").get_by_role("row").filter(has_text="Centrala w biurze")
    expect(row).to_contain_text(f"{key[:8]}…")
    expect(row).to_contain_text("nigdy")
    expect(row).to_contain_text("aktywny")
    expect(page.locator("body")).not_to_contain_text(key)  # shown once, never again

    row.get_by_role("link", name="Unieważnij").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Unieważnij klucz API")
    page.get_by_role("button", name="Unieważnij").click()
    expect(page.get_by_role("alert")).to_contain_text("Klucz „Centrala w biurze” został unieważniony")
    row = page.get_by_test_id("api-tokens").get_by_role("row").filter(has_text="Centrala w biurze")
    expect(row).to_contain_text("unieważniony")
    expect(row.get_by_role("link", name="Unieważnij")).to_have_count(0)
    assert ApiToken.objects.get().revoked_at is not None
