"""Queue statistics on a hand-made month: the numbers, the page with its charts, and the PDF."""

import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from billing.choices import Disposition
from billing.history.forms import day_start
from billing.tests import factories
from pbx.models import Queue
from pbx.stats.selectors import queue_statistics, seconds_text
from pbx.tests import factories as pbx_factories

pytestmark = pytest.mark.django_db

URL = reverse("queue_stats:index")
PDF = reverse("queue_stats:pdf")
MARCH = {"date_from": "2025-03-01", "date_to": "2025-03-31"}
START, END = day_start(date(2025, 3, 1)), day_start(date(2025, 4, 1))


def march(day: int, hour: int = 10, minute: int = 0):
    return day_start(date(2025, 3, day)) + timedelta(hours=hour, minutes=minute)


def queue_call(customer, queue, day, *, wait, talk=0, extension="", answered=True, minute=0):
    return factories.call_record(
        customer,
        started_at=march(day, minute=minute),
        queue_number=queue,
        wait_seconds=wait,
        talk_seconds=talk,
        extension=extension,
        direction="in",
        disposition=Disposition.ANSWERED if answered else Disposition.NO_ANSWER,
        cost_net="0.00",
    )


@pytest.fixture
def month(customer, other_customer):
    pbx_factories.queue(customer, name="Sprzedaż", number="100")
    pbx_factories.queue(customer, name="Serwis", number="200")
    queue_call(customer, "100", 3, wait=5, talk=60, extension="10", minute=1)
    queue_call(customer, "100", 3, wait=25, talk=120, extension="11", minute=2)
    queue_call(customer, "100", 3, wait=40, answered=False, minute=3)
    queue_call(customer, "100", 4, wait=20, talk=30, extension="10")  # exactly 20 s still counts
    queue_call(customer, "200", 4, wait=10, talk=300, extension="12", minute=5)
    queue_call(customer, "200", 5, wait=8, answered=False)
    factories.call_record(customer, started_at=march(3), extension="10")  # not a queue call
    queue_call(customer, "100", 2, wait=5, talk=60, extension="10")  # February? no: 2 March, counted below
    queue_call(other_customer, "100", 3, wait=1, talk=999, extension="10")
    factories.call_record(
        customer,
        started_at=day_start(date(2025, 4, 1)),
        queue_number="100",
        extension="10",
    )  # April: outside the period


def test_numbers_per_queue(customer, month):
    stats = queue_statistics(customer=customer, start=START, end=END)
    sales, service = stats.queues
    assert (sales.label, service.label) == ("Sprzedaż (100)", "Serwis (200)")
    # Sales: waits 5, 25, 40 (abandoned), 20 and 5 (2 March); talks 60, 120, 30, 60.
    assert (sales.offered, sales.answered, sales.abandoned, sales.answered_within) == (5, 4, 1, 3)
    assert str(sales.service_level) == "60.0"
    assert sales.average_wait == pytest.approx(19.0)
    assert sales.wait_max == pytest.approx(40.0)
    assert sales.average_talk == pytest.approx(67.5)
    assert (sales.average_wait_text, sales.wait_max_text, sales.average_talk_text) == ("0:19", "0:40", "1:08")
    assert (service.offered, service.answered, service.abandoned, service.answered_within) == (2, 1, 1, 1)
    assert str(service.service_level) == "50.0"
    assert service.average_wait == pytest.approx(9.0) and service.wait_max == pytest.approx(10.0)
    assert service.average_talk == pytest.approx(300.0)


def test_total_of_all_queues(customer, month):
    total = queue_statistics(customer=customer, start=START, end=END).total
    assert (total.offered, total.answered, total.abandoned, total.answered_within) == (7, 5, 2, 4)
    assert str(total.service_level) == "57.1"
    assert total.average_wait == pytest.approx(113 / 7)
    assert total.wait_max == pytest.approx(40.0)
    assert total.average_talk == pytest.approx(570 / 5)


def test_per_day_and_per_agent(customer, month):
    stats = queue_statistics(customer=customer, start=START, end=END)
    assert len(stats.days) == 31 and stats.days[0].day == date(2025, 3, 1)
    busy = {row.day.day: (row.offered, row.answered, row.abandoned) for row in stats.days if row.offered}
    assert busy == {2: (1, 1, 0), 3: (3, 2, 1), 4: (2, 2, 0), 5: (1, 0, 1)}
    agents = [(row.queue_number, row.extension, row.answered, row.talk_seconds) for row in stats.agents]
    assert agents == [("100", "10", 3, 150), ("100", "11", 1, 120), ("200", "12", 1, 300)]
    assert stats.agent_totals[0] == ("10", 3, 150)


def test_one_queue_only(customer, month):
    stats = queue_statistics(customer=customer, start=START, end=END, queue_number="200")
    assert [queue.number for queue in stats.queues] == ["200"]
    assert [agent.extension for agent in stats.agents] == ["12"]


def test_no_queue_calls(customer):
    stats = queue_statistics(customer=customer, start=START, end=END)
    assert stats.queues == [] and stats.total.service_level is None and stats.total.average_wait is None


@pytest.mark.smoke
def test_seconds_text():
    assert seconds_text(None) == "–"
    assert seconds_text(0) == "0:00"
    assert seconds_text(22.5) == "0:23"
    assert seconds_text(3725) == "1:02:05"


def test_page_shows_the_table_and_the_chart_canvases(client_user, customer, month):
    html = client_user.get(URL, MARCH).content.decode()
    assert "Statystyki z kolejek" in html
    assert "Sprzedaż (100)" in html and "60,0 %" in html and "0:19" in html
    assert 'id="queue-days-chart"' in html and 'id="queue-agents-chart"' in html
    assert "vendor/chart.js/chart.umd.min.js" in html and "js/queue_stats.js" in html
    assert 'id="queue-stats-data"' in html
    assert "Wszystkie kolejki" in html  # the total row of two queues


def test_page_defaults_to_this_month(client_user):
    response = client_user.get(URL)
    assert response.status_code == 200
    stats = response.context["stats"]
    assert stats.start.day == 1


def test_other_customers_calls_are_not_counted(client_other, customer, month):
    response = client_other.get(URL, MARCH)
    stats = response.context["stats"]
    assert [queue.number for queue in stats.queues] == ["100"] and stats.queues[0].offered == 1
    assert "Sprzedaż" not in response.content.decode()


def test_another_customers_queue_is_not_a_choice(client_user, other_customer):
    foreign = pbx_factories.queue(other_customer, name="Obca", number="300")
    response = client_user.get(URL, {**MARCH, "queue": foreign.pk})
    assert response.status_code == 200
    assert "queue" in response.context["form"].errors
    assert "Popraw wybór powyżej" in response.content.decode()
    assert client_user.get(PDF, {**MARCH, "queue": foreign.pk}).status_code == 302


@pytest.mark.parametrize(
    "params",
    [{"date_from": "2025-02-31"}, {"date_from": "2020-01-01", "date_to": "2025-01-01"}, {"queue": "abc"}],
)
def test_bad_input_is_a_message_not_a_500(client_user, params):
    response = client_user.get(URL, params)
    assert response.status_code == 200
    assert "Popraw wybór powyżej" in response.content.decode()


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    # Words only: wrapped table headers and chart labels come out on separate lines.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_pdf_has_the_tables_and_the_charts(client_user, customer, month):
    response = client_user.get(PDF, MARCH)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="statystyki-kolejek_2025-03-01_2025-03-31.pdf"' in response["Content-Disposition"]
    content = response.content
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    for expected in (
        "Statystyki z kolejek",
        "Firma ABCDE",
        "01.03.2025 – 31.03.2025",
        "Sprzedaż (100)",
        "Serwis (200)",
        "Odebrane w 20 s",
        "Poziom obsługi",
        "60,0 %",
        "57,1 %",
        "0:19",
        "Połączenia dziennie",
        "03.03.2025",
        "Konsultanci",
        "Odebrane połączenia",
    ):
        assert expected in text, expected
    # The charts are drawn: the per-day axis labels and the agents' bar labels are in the text.
    assert "03.03" in text and "04.03" in text


def test_pdf_for_one_queue_in_english(client_user, customer, month):
    client_user.cookies["django_language"] = "en"
    queue = Queue.objects.get(customer=customer, number="200")
    response = client_user.get(PDF, {**MARCH, "queue": queue.pk})
    text = pdf_text(response.content)
    assert "Queue statistics" in text and "Serwis (200)" in text and "Sprzedaż" not in text
    assert "Service level" in text and "50.0 %" in text


@pytest.fixture
def without_dejavu(monkeypatch):
    from pbx.stats import pdf

    monkeypatch.setattr(pdf, "_font_pairs", lambda: [])
    pdf.fonts.cache_clear()
    yield pdf
    pdf.fonts.cache_clear()


def test_pdf_without_dejavu_falls_back_to_vera_without_missing_glyphs(customer, without_dejavu):
    pdf = without_dejavu
    assert pdf.printable("Zażółć gęślą jaźń") == "Zazółć gesla jazn"
    stats = queue_statistics(customer=customer, start=START, end=END)
    with translation.override("pl"):
        text = pdf_text(pdf.queue_statistics_pdf(stats=stats, customer=customer))
    assert "Statystyki z kolejek" in text and "Brak połaczen do kolejek" in text
