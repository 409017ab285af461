"""Browser: a customer's user filters the call history and plays a recording in the page."""

import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from playwright.sync_api import expect

from billing.choices import CallDirection, Disposition
from billing.tests import factories as billing_factories
from recordings.tests import factories as recordings_factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def recordings_can_play() -> bool:
    """The recordings app's model and play URL exist (they are built alongside the history)."""
    try:
        from recordings.models import Recording  # noqa: F401
        from recordings.testing import store_recording  # noqa: F401

        reverse("recordings:play", args=[1])
    except (ImportError, NoReverseMatch):
        return False
    return shutil.which("ffmpeg") is not None


def small_mp3(tmp_path) -> bytes:
    """One second of a 440 Hz tone as a real MP3, made by ffmpeg."""
    target = tmp_path / "tone.mp3"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-ac", "1", str(target)],
        check=True,
        timeout=30,
    )
    return target.read_bytes()


@pytest.fixture
def calls(customer):
    """Two calls of this month, which the history shows by default: an hour or two ago, or at its first minutes."""
    now = timezone.now()
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)

    def ago(hours: int):
        return max(now - timedelta(hours=hours), min(month_start + timedelta(seconds=3 - hours), now))

    outgoing = billing_factories.call_record(
        customer,
        started_at=ago(2),
        callee="48600100200",
        cost_net="1.10",
        talk_seconds=125,
    )
    billing_factories.call_record(
        customer,
        started_at=ago(1),
        direction=CallDirection.INBOUND,
        caller="48501222333",
        callee="48943401128",
        disposition=Disposition.NO_ANSWER,
        cost_net="0.00",
    )
    return outgoing


def test_filter_the_history_and_play_a_recording(logged_in_page, live_server, customer, calls, tmp_path):
    page = logged_in_page
    can_play = recordings_can_play()
    if can_play:
        from recordings.storage import get_storage

        recordings_factories.recording(
            customer,
            started_at=calls.started_at,
            content=small_mp3(tmp_path),
            storage=get_storage(),
            call_id=calls.call_id,
            direction="out",
            caller=calls.caller,
            callee=calls.callee,
            duration_seconds=Decimal("1"),
        )

    page.goto(f"{live_server.url}/billing/history/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Historia (billing) połączeń")
    table = page.locator("table.history-table tbody")
    expect(table).to_contain_text("48600100200")
    expect(table).to_contain_text("48501222333")
    expect(page.get_by_test_id("total-count")).to_have_text("2")

    page.get_by_label("Kierunek").select_option(label="przychodzące")
    page.get_by_role("button", name="Filtruj").click()
    expect(table).to_contain_text("48501222333")
    expect(table).not_to_contain_text("48600100200")
    expect(page.get_by_test_id("total-count")).to_have_text("1")

    # The filters are remembered: the bare address shows the same filtered list.
    page.goto(f"{live_server.url}/billing/history/")
    expect(page.get_by_label("Kierunek")).to_have_value("in")
    page.get_by_role("link", name="Wyczyść filtry").click()
    expect(page.get_by_label("Kierunek")).to_have_value("")

    page.get_by_label("Numer zawiera").fill("600 100")
    page.get_by_role("button", name="Filtruj").click()
    expect(table.locator("tr")).to_have_count(1)
    row = table.locator("tr").first
    expect(row).to_contain_text("2:05")
    expect(row).to_contain_text("1,10 zł")
    expect(row).to_contain_text("1,35 zł")

    if not can_play:
        return
    page.get_by_label("Tylko z nagraniem").check()
    page.get_by_role("button", name="Filtruj").click()
    expect(table.locator("tr")).to_have_count(1)
    row.get_by_title("Odtwórz").click()
    audio = row.get_by_test_id("recording-audio")
    expect(audio).to_be_visible()
    page.wait_for_function(
        "audio => audio.error === null && audio.currentTime > 0", arg=audio.element_handle(), timeout=10_000
    )
    download = row.get_by_title("Pobierz")
    response = page.request.get(live_server.url + download.get_attribute("href"))
    assert response.status == 200 and response.body()[:3] in (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")
