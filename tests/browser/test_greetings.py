"""Browser test: a customer uploads their own voicemail greeting and listens to it on the page."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from pbx.tests import factories as pbx_factories
from pbx.tests.audio_factory import make_wav

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def account(customer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return pbx_factories.sip_account(customer, extension="10", name="Biuro", voicemail_enabled=True)


def test_upload_a_wav_greeting_and_play_it(logged_in_page, live_server, account):
    page = logged_in_page
    page.goto(live_server.url + reverse("pbx:sip_account_greeting", kwargs={"pk": account.pk}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Powitanie poczty głosowej – 10")
    expect(page.get_by_test_id("greeting-kind")).to_have_text("Zapowiedź systemowa")

    page.get_by_label("Wgraj własną zapowiedź powitalną").set_input_files(
        {"name": "powitanie.wav", "mimeType": "audio/wav", "buffer": make_wav(2.0, 8000, channels=2)}
    )
    page.get_by_role("button", name="Wgraj powitanie").click()

    expect(page.get_by_role("alert")).to_contain_text("Zapisano własne powitanie")
    expect(page.get_by_test_id("greeting-kind")).to_contain_text("Własna zapowiedź")
    player = page.locator("audio[controls]")
    expect(player).to_have_count(1)
    src = player.get_attribute("src")
    assert re.search(r"/greeting\.mp3\?v=\d+$", src)
    response = page.request.get(live_server.url + src)
    assert response.status == 200
    assert response.headers["content-type"] == "audio/mpeg"
    # The browser itself can decode the stored file: it reports the recording's length.
    page.wait_for_function("document.querySelector('audio').readyState >= 1")
    assert page.evaluate("document.querySelector('audio').duration") == pytest.approx(2.0, abs=0.3)


def test_refused_file_shows_the_reason(logged_in_page, live_server, account):
    page = logged_in_page
    page.goto(live_server.url + reverse("pbx:sip_account_greeting", kwargs={"pk": account.pk}))
    page.get_by_label("Wgraj własną zapowiedź powitalną").set_input_files(
        {"name": "powitanie.mp3", "mimeType": "audio/mpeg", "buffer": b"to nie jest nagranie\n" * 50}
    )
    page.get_by_role("button", name="Wgraj powitanie").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("To nie jest nagranie WAV ani MP3")
    expect(page.locator("audio")).to_have_count(0)
