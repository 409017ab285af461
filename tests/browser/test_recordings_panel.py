"""Browser test: a customer opens the recordings, plays one, downloads it, deletes one after confirming,
and sees the retention price change live when choosing a longer retention."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pbx.tests.audio_factory import make_mp3
from recordings.models import Recording
from recordings.storage import get_storage
from recordings.tests import factories as recordings_factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def recordings(customer, settings, tmp_path):
    settings.RECORDINGS_ROOT = tmp_path / "recordings"
    storage = get_storage()
    now = timezone.now()
    first = recordings_factories.recording(
        customer,
        started_at=now - timedelta(hours=1),
        content=make_mp3(2.0),
        storage=storage,
        call_id="browser-1",
        caller="48600100200",
    )
    second = recordings_factories.recording(
        customer,
        started_at=now - timedelta(hours=2),
        content=make_mp3(1.0),
        storage=storage,
        call_id="browser-2",
        caller="48700200300",
    )
    return storage, first, second


def test_play_download_and_delete_a_recording(logged_in_page, live_server, recordings):
    storage, first, second = recordings
    page = logged_in_page
    page.goto(f"{live_server.url}/recordings/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nagrania rozmów")
    expect(page.get_by_test_id("panel-window-note")).to_contain_text("tylko przez FTP")
    row = page.locator(f'tr[data-recording="{first.pk}"]')
    expect(row).to_contain_text("48600100200")

    audio = row.locator("audio")
    audio.evaluate("element => { element.preload = 'auto'; element.load(); }")
    page.wait_for_function(
        "id => document.querySelector(`tr[data-recording='${id}'] audio`).readyState >= 1", arg=first.pk
    )
    assert audio.evaluate("element => element.duration") == pytest.approx(2.0, abs=0.3)

    with page.expect_download() as download_info:
        row.get_by_role("link", name=f"Pobierz {first.file_name}").click()
    download = download_info.value
    assert download.suggested_filename == first.file_name
    assert Path(download.path()).read_bytes() == storage.local_path(first.path).read_bytes()

    page.locator(f'tr[data-recording="{second.pk}"]').get_by_role("link", name=f"Usuń {second.file_name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Usuń nagranie")
    expect(page.get_by_role("alert")).to_contain_text("nie da się go przywrócić")
    page.get_by_role("button", name="Usuń nagranie").click()
    expect(page.get_by_role("alert").first).to_contain_text("zostało usunięte")
    expect(page.locator(f'tr[data-recording="{second.pk}"]')).to_have_count(0)
    expect(page.locator(f'tr[data-recording="{first.pk}"]')).to_have_count(1)
    assert not Recording.objects.filter(pk=second.pk).exists()
    assert not storage.exists(second.path)


def test_retention_price_updates_live_and_needs_consent(logged_in_page, live_server, recordings):
    page = logged_in_page
    page.goto(f"{live_server.url}/recordings/#retention")
    expect(page.get_by_test_id("retention-total")).to_have_text("30 dni")
    expect(page.get_by_test_id("retention-net")).to_have_text("0,00")
    page.get_by_label("Przechowuj nagrania przez").select_option("90")
    expect(page.get_by_test_id("retention-total")).to_have_text("90 dni (3 miesiące)")
    expect(page.get_by_test_id("retention-net")).to_have_text("60,00")
    expect(page.get_by_test_id("retention-gross")).to_have_text("73,80")
    page.get_by_role("button", name="Zapisz zmianę").click()
    expect(page.get_by_test_id("cost-confirmation")).to_contain_text("60,00")
    page.get_by_role("button", name="Tak").click()
    expect(page.get_by_role("alert").first).to_contain_text("przechowywane przez 90 dni")
    expect(page.get_by_test_id("retention-total")).to_have_text("90 dni (3 miesiące)")
