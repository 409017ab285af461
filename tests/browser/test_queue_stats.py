"""Browser: queue statistics show the table and draw the charts; the PDF export downloads."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from billing.choices import Disposition
from billing.tests import factories as billing_factories
from pbx.tests import factories as pbx_factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_queue_statistics_table_charts_and_pdf(logged_in_page, live_server, customer):
    pbx_factories.queue(customer, name="Sprzedaż", number="100")
    today = timezone.localtime().replace(hour=0, minute=5, second=0, microsecond=0)
    for wait, answered in ((5, True), (30, True), (50, False)):
        billing_factories.call_record(
            customer,
            started_at=today + timedelta(minutes=wait),
            queue_number="100",
            extension="10" if answered else "",
            wait_seconds=wait,
            disposition=Disposition.ANSWERED if answered else Disposition.NO_ANSWER,
            direction="in",
        )
    page = logged_in_page
    page.goto(f"{live_server.url}/billing/queue-statistics/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Statystyki z kolejek")
    summary = page.get_by_test_id("queue-summary")
    expect(summary).to_contain_text("Sprzedaż (100)")
    expect(summary).to_contain_text("33,3 %")
    for canvas_id in ("queue-days-chart", "queue-agents-chart"):
        canvas = page.locator(f"#{canvas_id}")
        expect(canvas).to_be_visible()
        assert page.evaluate("id => Chart.getChart(document.getElementById(id)) !== undefined", canvas_id)
    with page.expect_download() as download_info:
        page.get_by_test_id("export-pdf").click()
    download = download_info.value
    assert download.suggested_filename.startswith("statystyki-kolejek_")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
