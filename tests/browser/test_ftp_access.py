"""Browser test: a customer finds its FTP access data, reveals the password and logs in with it over FTP."""

import ftplib
import io
import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from recordings.storage import LocalRecordingStorage
from recordings.testing import ftp_client, running_ftp_server
from recordings.tests import factories as recordings_factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_revealed_password_logs_in_to_the_ftp_server(logged_in_page, live_server, customer, tmp_path):
    page = logged_in_page
    storage = LocalRecordingStorage(tmp_path / "recordings")
    recording = recordings_factories.recording(
        customer, started_at=datetime(2026, 3, 29, 2, 30, tzinfo=UTC), content=b"ID3 recording", storage=storage
    )

    page.goto(f"{live_server.url}/recordings/ftp/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dostęp FTP do nagrań")
    expect(page.get_by_test_id("ftp-login")).to_have_text("firmaabcde")
    expect(page.get_by_test_id("ftp-password")).to_have_count(0)
    page.get_by_role("button", name="Pokaż hasło").click()
    password = page.get_by_test_id("ftp-password").inner_text()
    assert re.fullmatch(r"[A-Za-z0-9]{20}", password)
    expect(page.get_by_role("button", name="Pokaż hasło")).to_have_count(0)  # swapped in place by htmx

    with running_ftp_server(storage=storage) as server:
        client = ftp_client(server.address)
        client.login(page.get_by_test_id("ftp-login").inner_text(), password)
        buffer = io.BytesIO()
        client.retrbinary(f"RETR /{recording.path.partition('/')[2]}", buffer.write)
        client.quit()
    assert buffer.getvalue() == b"ID3 recording"


def test_new_password_after_confirmation_replaces_the_old_one(logged_in_page, live_server, customer, tmp_path):
    page = logged_in_page
    page.goto(f"{live_server.url}/recordings/ftp/")
    page.get_by_role("button", name="Pokaż hasło").click()
    old_password = page.get_by_test_id("ftp-password").inner_text()

    page.get_by_role("link", name="Wygeneruj nowe hasło").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wygeneruj nowe hasło do FTP")
    page.get_by_role("button", name="Wygeneruj nowe hasło").click()
    expect(page.get_by_role("alert")).to_contain_text("Wygenerowano nowe hasło do FTP")
    page.get_by_role("button", name="Pokaż hasło").click()
    new_password = page.get_by_test_id("ftp-password").inner_text()
    assert new_password != old_password

    with running_ftp_server(storage=LocalRecordingStorage(tmp_path / "recordings")) as server:
        client = ftp_client(server.address)
        with pytest.raises(ftplib.error_perm, match="530"):
            client.login("firmaabcde", old_password)
        client.login("firmaabcde", new_password)
        client.quit()


def test_show_password_works_without_javascript(browser, live_server, user):
    from panel.testing import PASSWORD

    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/recordings/ftp/")
    page.get_by_role("button", name="Pokaż hasło").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dostęp FTP do nagrań")
    expect(page.get_by_test_id("ftp-password")).to_have_text(re.compile(r"^[A-Za-z0-9]{20}$"))
    context.close()
