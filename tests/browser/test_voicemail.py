"""Browser test: a customer opens an account's voicemail messages, plays one, marks it heard and deletes it."""

import io
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from pbx.models import VoicemailMessage
from pbx.tests import factories as pbx_factories
from pbx.voicemail import voicemail_ingest
from simulator.audio import tone_mp3

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def account(customer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    account = pbx_factories.sip_account(customer, extension="11", name="Sprzedaż", voicemail_enabled=True)
    for index, (caller, seconds) in enumerate((("+48600100200", 6), ("+48221234567", 3))):
        voicemail_ingest(
            customer=customer,
            extension="11",
            caller=caller,
            received_at=datetime(2026, 3, 10, 9 + index, 0, tzinfo=UTC),
            fileobj=io.BytesIO(tone_mp3(seconds)),
            message_id=f"pbx1-{index}",
        )
    return account


def test_play_mark_heard_and_delete_a_voicemail_message(logged_in_page, live_server, account):
    page = logged_in_page
    page.goto(live_server.url + reverse("pbx:voicemail_messages", kwargs={"pk": account.pk}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Wiadomości głosowe – 11")
    expect(page.get_by_test_id("unheard-count")).to_have_text("2 nowe wiadomości")
    rows = page.get_by_test_id("voicemail-row")
    expect(rows).to_have_count(2)
    first = rows.filter(has_text="+48 600 100 200")

    # The player loads the stored MP3: the browser decodes it and knows its length.
    player = first.locator("audio")
    player.evaluate("audio => { audio.preload = 'auto'; audio.load(); }")
    page.wait_for_function("audio => audio.readyState >= 1", arg=player.element_handle())
    assert player.evaluate("audio => audio.duration") == pytest.approx(6.0, abs=0.3)

    first.get_by_role("button", name="Oznacz jako odsłuchaną").click()
    expect(page.get_by_role("alert")).to_contain_text("jest oznaczona jako odsłuchana")
    expect(page.get_by_test_id("unheard-count")).to_have_text("1 nowa wiadomość")
    expect(first.get_by_role("button", name="Oznacz jako nową")).to_be_visible()

    first.get_by_role("link", name="Usuń").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Usuń wiadomość głosową")
    page.get_by_role("button", name="Tak, usuń").click()
    expect(page.get_by_role("alert")).to_contain_text("została usunięta")
    expect(page.get_by_test_id("voicemail-row")).to_have_count(1)
    assert list(VoicemailMessage.objects.values_list("caller", flat=True)) == ["+48221234567"]
