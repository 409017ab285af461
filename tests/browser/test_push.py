"""Browser test: a customer switches on the recording push, fills in an SFTP server and tests the connection."""

import pytest
from playwright.sync_api import expect

from recordings.push.testing import TARGET_PASSWORD, TARGET_USER
from recordings.tests.sftp_server import SftpTestServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sftp_target(tmp_path):
    with SftpTestServer(tmp_path / "sftp", username=TARGET_USER, password=TARGET_PASSWORD) as server:
        yield server


def test_switch_on_fill_in_an_sftp_server_and_test_the_connection(logged_in_page, live_server, sftp_target):
    page = logged_in_page
    page.goto(f"{live_server.url}/recordings/push/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Automatyczne przesyłanie nagrań")
    expect(page.get_by_test_id("push-service-off")).to_contain_text("149,00 zł")

    page.get_by_role("link", name="Włącz w „Usługi / Oferta”").click()
    page.get_by_role("button", name="Dalej").click()
    expect(page.get_by_test_id("cost-confirmation")).to_contain_text("Wyrażam zgodę na obciążenie mnie kosztami")
    page.get_by_role("button", name="Tak").click()
    expect(page.get_by_role("alert")).to_contain_text("włączona")

    page.goto(f"{live_server.url}/recordings/push/")
    host, port = sftp_target.address
    page.get_by_label("Protokół", exact=True).select_option("sftp")
    page.get_by_label("Serwer", exact=True).fill(host)
    page.get_by_label("Port", exact=True).fill(str(port))
    page.get_by_label("Login", exact=True).fill(TARGET_USER)
    page.get_by_label("Hasło", exact=True).fill(TARGET_PASSWORD)
    expect(page.get_by_label("Folder docelowy", exact=True)).to_have_value("/nagrania/%Y/%m/%d/")
    page.get_by_role("button", name="Testuj połączenie").click()

    result = page.get_by_test_id("push-test-result")
    expect(result.get_by_test_id("push-test-summary")).to_contain_text("Wszystko działa")
    for step in ("DNS", "Połączenie z serwerem", "Szyfrowanie (SSH)", "Logowanie", "Prawo zapisu"):
        expect(result.locator("li", has_text=step).locator(".badge")).to_have_text("ok")
    expect(result).to_contain_text("SHA256:")
    expect(page.get_by_role("button", name="Testuj połączenie")).to_be_enabled()
    expect(page).to_have_url(f"{live_server.url}/recordings/push/")  # htmx: the page stayed, the form too
    expect(page.get_by_label("Serwer", exact=True)).to_have_value(host)

    page.get_by_role("button", name="Zapisz").click()
    expect(page.get_by_role("alert")).to_contain_text("Ustawienia przesyłania zostały zapisane")
    expect(page.get_by_label("Hasło", exact=True)).to_have_attribute("placeholder", "•••• (zapisane)")
