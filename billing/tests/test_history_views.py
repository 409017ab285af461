"""The call history page and its CSV export, as a customer's user sees them."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from billing.choices import CallDirection, Disposition
from billing.history import selectors, views
from billing.history.forms import day_start
from billing.models import CallRecord
from billing.tests import factories
from recordings.tests import factories as recordings_factories

pytestmark = pytest.mark.django_db

URL = reverse("billing:call_history")
EXPORT = reverse("billing:call_history_export")
MARCH = {"date_from": "2025-03-01", "date_to": "2025-03-31"}


def march(day: int, hour: int = 12):
    return day_start(date(2025, 3, day)) + timedelta(hours=hour)


def page(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def export(client, **params):
    response = client.get(EXPORT, params)
    assert response.status_code == 200
    assert response.streaming
    raw = b"".join(response.streaming_content)
    return response, raw


def parse(raw: bytes) -> list[list[str]]:
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark for Excel
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_the_page_lists_the_calls_with_polish_formats(client_user, customer):
    factories.call_record(
        customer,
        started_at=march(3, 9),
        callee="48600100200",
        extension="15",
        talk_seconds=125,
        cost_net="1234.50",
    )
    html = page(client_user, **MARCH)
    assert "<h1" in html and "Historia (billing) połączeń" in html
    assert "03.03.2025 09:00:00" in html  # Europe/Warsaw time
    assert "48600100200" in html and ">15<" in html
    assert "2:05" in html  # talk time m:ss
    assert "1\xa0234,50 zł" in html and "1\xa0518,44 zł" in html  # net and gross, Polish format
    assert "wychodzące" in html


def test_defaults_to_this_month(client_user, customer):
    now = timezone.now()
    factories.call_record(customer, started_at=now, callee="48111222333")
    factories.call_record(customer, started_at=now - timedelta(days=40), callee="48999888777")
    html = page(client_user)
    assert "48111222333" in html and "48999888777" not in html
    assert f'value="{timezone.localdate().replace(day=1).isoformat()}"' in html


def test_unrated_call_shows_its_state_not_zero(client_user, customer):
    factories.call_record(customer, started_at=march(3), cost_net=None)
    html = page(client_user, **MARCH)
    assert "czeka na wycenę" in html.lower() or "waiting for rating" in html.lower()


def test_filters_narrow_the_list(client_user, customer):
    factories.call_record(customer, started_at=march(3), callee="48600100200", direction=CallDirection.OUTBOUND)
    factories.call_record(
        customer,
        started_at=march(4),
        caller="48501222333",
        callee="48943401128",
        direction=CallDirection.INBOUND,
        disposition=Disposition.NO_ANSWER,
    )
    html = page(client_user, **MARCH, direction="in")
    assert "48501222333" in html and "48600100200" not in html
    html = page(client_user, **MARCH, q="600 100")
    assert "48600100200" in html and "48501222333" not in html
    html = page(client_user, **MARCH, answered="no")
    assert "48501222333" in html and "48600100200" not in html


def test_the_filter_form_shows_the_chosen_filters_in_the_panels_language(client_user):
    """The form's fields are rendered once per language and values: each view still shows its own."""
    html = page(client_user, **MARCH, direction="in", extension="17")
    assert 'name="extension" value="17"' in html and '<option value="in" selected>przychodzące</option>' in html
    assert "Numer zawiera" in html
    html = page(client_user, **MARCH, direction="out")
    assert 'name="extension" value="17"' not in html and '<option value="out" selected>wychodzące</option>' in html
    client_user.cookies["django_language"] = "en"
    html = page(client_user, **MARCH, direction="in", extension="17")
    assert 'name="extension" value="17"' in html and '<option value="in" selected>incoming</option>' in html
    assert "Number contains" in html and "Numer zawiera" not in html
    html = page(client_user, **MARCH, extension="abc")  # with errors: marked invalid, never taken from the cache
    assert 'name="extension" value="abc"' in html and "is-invalid" in html


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2025-02-30"},
        {"date_from": "nie-data", "date_to": "???"},
        {"date_from": "2020-01-01", "date_to": "2025-01-01"},
        {"date_from": "2025-03-31", "date_to": "2025-03-01"},
        {"date_from": "9999-12-31", "date_to": "9999-12-31"},
        {"min_cost": "abc"},
        {"extension": "<script>"},
        {"after": "garbage", "before": "%00"},
        {"sort": "drop table"},
    ],
)
def test_bad_input_is_a_clear_message_not_a_500(client_user, customer, params):
    html = page(client_user, **params)
    if set(params) - {"after", "before"}:
        assert "Popraw filtry" in html
        assert "invalid-feedback" in html
    else:
        assert "Popraw filtry" not in html


def test_a_range_over_366_days_is_refused_with_a_clear_message(client_user):
    html = page(client_user, date_from="2024-01-01", date_to="2025-03-01")
    assert "366" in html and "krótszy" in html


def test_keyset_links_walk_the_whole_period(client_user, customer):
    CallRecord.objects.bulk_create(
        [factories.call_record(customer, save=False, started_at=march(10), callee=f"4860000{n:04d}") for n in range(30)]
    )
    first = client_user.get(URL, MARCH)
    assert first.context["next_url"] and first.context["previous_url"] is None
    assert len(first.context["page"].rows) == selectors.PAGE_SIZE
    second = client_user.get(URL + first.context["next_url"])
    assert len(second.context["page"].rows) == 5 and second.context["next_url"] is None
    shown = {row.pk for row in first.context["page"].rows} | {row.pk for row in second.context["page"].rows}
    assert len(shown) == 30
    back = client_user.get(URL + second.context["previous_url"])
    assert [row.pk for row in back.context["page"].rows] == [row.pk for row in first.context["page"].rows]
    assert "after=" in first.context["next_url"] and "before=" in second.context["previous_url"]


def test_totals_for_up_to_31_days_are_shown_on_the_page(client_user, customer):
    factories.call_record(customer, started_at=march(3), talk_seconds=90, cost_net="0.50")
    factories.call_record(customer, started_at=march(4), talk_seconds=30, cost_net="0.10")
    html = page(client_user, **MARCH)
    assert 'data-testid="total-count">2<' in html
    assert "2,0 min" in html
    assert "0,60 zł" in html and "0,74 zł" in html


def test_longer_periods_count_totals_only_on_request(client_user, customer):
    factories.call_record(customer, started_at=march(3), cost_net="0.50")
    with CaptureQueriesContext(connection) as captured:
        response = client_user.get(URL, {"date_from": "2025-01-01", "date_to": "2025-03-31"})
    assert not [query for query in captured.captured_queries if "COUNT(" in query["sql"].upper()]
    assert "totals" not in response.context
    assert "Policz sumy" in response.content.decode()
    response = client_user.get(URL + response.context["totals_url"])
    assert response.context["totals"].count == 1
    assert 'data-testid="total-count">1<' in response.content.decode()


def test_a_31_day_period_across_the_dst_change_still_counts_on_every_view(client_user, customer):
    factories.call_record(customer, started_at=march(12), cost_net="0.50")
    response = client_user.get(URL, {"date_from": "2025-03-10", "date_to": "2025-04-09"})
    assert response.context["totals"].count == 1
    response = client_user.get(URL, {"date_from": "2025-03-10", "date_to": "2025-04-10"})  # 32 days
    assert "totals" not in response.context


def test_the_last_filters_are_remembered_and_can_be_reset(client_user, customer):
    page(client_user, date_from="2025-03-01", date_to="2025-03-31", direction="in", q="600")
    response = client_user.get(URL)
    assert response.status_code == 302
    assert "direction=in" in response.url and "q=600" in response.url and "date_from=2025-03-01" in response.url
    html = client_user.get(response.url).content.decode()
    assert "Pamiętamy ostatnio użyte filtry" in html
    response = client_user.get(URL, {"reset": "1"})
    assert response.status_code == 302
    assert client_user.get(URL).status_code == 200


def test_this_month_is_not_pinned_when_remembering(client_user):
    first, last = views.this_month()
    page(client_user, date_from=first.isoformat(), date_to=last.isoformat(), direction="out")
    response = client_user.get(URL)
    assert response.status_code == 302 and "date_from" not in response.url and "direction=out" in response.url


def test_invalid_filters_are_not_remembered(client_user):
    page(client_user, date_from="zła data")
    assert client_user.get(URL).status_code == 200


def test_remembered_filters_are_per_user(client, user, other_user):
    client.force_login(user)
    page(client, direction="in")
    client.force_login(other_user)
    assert client.get(URL).status_code == 200


def test_csv_has_polish_headers_decimal_commas_and_the_whole_filtered_set(client_user, customer):
    CallRecord.objects.bulk_create(
        [
            factories.call_record(
                customer, save=False, started_at=march(5) + timedelta(minutes=n), callee=f"4860000{n:04d}"
            )
            for n in range(60)
        ]
    )
    factories.call_record(customer, started_at=march(3, 8), callee="48223334455", talk_seconds=75, cost_net="1234.5")
    factories.call_record(customer, started_at=march(3, 9), direction=CallDirection.INBOUND)
    response, raw = export(client_user, **MARCH, direction="out")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="historia-polaczen_2025-03-01_2025-03-31.csv"' in response["Content-Disposition"]
    rows = parse(raw)
    assert rows[0][:4] == ["Data i godzina", "Kierunek", "Numer inicjujący", "Numer docelowy"]
    assert "Koszt netto (zł)" in rows[0] and "Koszt brutto (zł)" in rows[0]
    assert len(rows) == 1 + 61  # far beyond one page of 25; the incoming call is filtered out
    oldest = rows[-1]
    header = rows[0]
    assert oldest[header.index("Data i godzina")] == "2025-03-03 08:00:00"
    assert oldest[header.index("Koszt netto (zł)")] == "1234,50"
    assert oldest[header.index("Koszt brutto (zł)")] == "1518,44"
    assert oldest[header.index("Czas rozmowy (s)")] == "75"
    assert oldest[header.index("Czas rozmowy (m:ss)")] == "1:15"
    assert b"\r\n" in raw


def test_csv_in_english_when_the_panel_is_english(client_user, customer):
    factories.call_record(customer, started_at=march(3), cost_net="0.05")
    client_user.cookies["django_language"] = "en"
    response, raw = export(client_user, **MARCH)
    rows = parse(raw)
    assert rows[0][:4] == ["Date and time", "Direction", "Caller", "Callee"]
    assert "Cost net (zł)" in rows[0]
    assert (
        rows[1][rows[0].index("Cost net (zł)")] == "0,05"
    )  # still a decimal comma: the file is for Polish spreadsheets
    assert "call-history_" in response["Content-Disposition"]


def test_csv_of_one_customer_has_none_of_the_others_calls(client_user, customer, other_customer):
    factories.call_record(customer, started_at=march(3), callee="48111111111")
    factories.call_record(other_customer, started_at=march(3), callee="48999999999", call_id="shared-id")
    _response, raw = export(client_user, **MARCH)
    text = raw.decode("utf-8-sig")
    assert "48111111111" in text and "48999999999" not in text and "shared-id" not in text


def test_the_page_of_one_customer_has_none_of_the_others_calls(client_other, customer, other_customer):
    factories.call_record(customer, started_at=march(3), callee="48111111111")
    html = page(client_other, **MARCH)
    assert "48111111111" not in html


def test_csv_with_bad_filters_goes_back_to_the_form(client_user):
    response = client_user.get(EXPORT, {"date_from": "2020-01-01", "date_to": "2025-01-01"})
    assert response.status_code == 302
    assert response.url.startswith(URL)
    assert "Popraw filtry" in client_user.get(response.url).content.decode()


def test_csv_neutralises_formulas_but_keeps_phone_numbers():
    from billing.history.export import safe_text

    assert safe_text("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert safe_text("+48600100200") == "+48600100200"
    assert safe_text("-1+2") == "'-1+2"


@time_machine.travel(datetime(2026, 3, 11, 12, 0, tzinfo=UTC), tick=False)
def test_recording_column(client_user, customer):
    """At a fixed instant: the panel keeps the last 30 days playable, older recordings are on FTP only."""
    now = timezone.now()
    recent = factories.call_record(customer, started_at=now - timedelta(days=1), callee="48100000001")
    old = factories.call_record(customer, started_at=now - timedelta(days=45), callee="48100000002")
    none = factories.call_record(customer, started_at=now - timedelta(days=2), callee="48100000003")
    for call, name in ((recent, "recent"), (old, "old")):
        recordings_factories.recording(
            customer,
            call_id=call.call_id,
            started_at=call.started_at,
            direction="out",
            caller=call.caller,
            callee=call.callee,
            path=f"firmaabcde/{name}.mp3",
        )
    today = timezone.localdate()
    params = {"date_from": (today - timedelta(days=60)).isoformat(), "date_to": today.isoformat()}
    response = client_user.get(URL, params)
    rows = {row.call_id: row for row in response.context["page"].rows}
    assert rows[recent.call_id].recording.in_panel
    assert not rows[old.call_id].recording.in_panel
    assert rows[none.call_id].recording is None
    html = response.content.decode()
    assert "tylko FTP" in html
    with_recording = client_user.get(URL, {**params, "with_recording": "on"})
    assert {row.call_id for row in with_recording.context["page"].rows} == {recent.call_id, old.call_id}
    _response, raw = export(client_user, **params)
    rows = parse(raw)
    column = rows[0].index("Nagranie")
    assert sorted(row[column] for row in rows[1:]) == ["nie", "tak", "tak"]
