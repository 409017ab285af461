"""CSV export of the whole filtered call history, streamed row by row.

The file is made for a spreadsheet in Polish settings (Excel, LibreOffice):
UTF-8 with a byte-order mark (so Excel reads the Polish letters as UTF-8),
semicolons between columns (a comma is the decimal separator there),
decimal commas without thousands separators (so cells are numbers, not text),
dates as `YYYY-MM-DD HH:MM:SS` in Europe/Warsaw time, and CRLF line ends. The
column names follow the panel's language (Polish or English). Rows come from
keyset chunks of the same query as the page, so memory stays flat at any size.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from billing.choices import CallDirection, Disposition
from billing.history.forms import HistoryFilters, local_zone
from billing.history.selectors import call_history_export_rows
from panel.models import Customer

BOM = "\ufeff"
DELIMITER = ";"
# Cells a spreadsheet would run as a formula; a phone number like +48600100200 is left alone.
FORMULA_START = re.compile(r"^[=+\-@\t\r]")
PHONE_NUMBER = re.compile(r"^\+?[0-9]+\Z")


class _Echo:
    """A file-like object whose write() hands the line back, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def decimal_comma(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value:.2f}".replace(".", ",")


def minutes_seconds(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


def safe_text(value: str) -> str:
    """Text a spreadsheet shows as text, never runs (CSV formula injection)."""
    if value and FORMULA_START.match(value) and not PHONE_NUMBER.match(value):
        return "'" + value
    return value


def header() -> list[str]:
    return [
        _("Date and time"),
        _("Direction"),
        _("Caller"),
        _("Callee"),
        _("Extension"),
        _("Queue"),
        _("Result"),
        _("Talk time (s)"),
        _("Talk time (m:ss)"),
        _("Cost net (zł)"),
        _("Cost gross (zł)"),
        _("Recording"),
        _("Call ID"),
    ]


@dataclass(frozen=True)
class Labels:
    """Every translated text of the file, resolved while the request's language is active (rows stream later)."""

    header: list[str]
    directions: dict[str, str]
    dispositions: dict[str, str]
    yes: str
    no: str

    @classmethod
    def current(cls) -> Labels:
        return cls(
            header=header(),
            directions={value: str(label) for value, label in CallDirection.choices},
            dispositions={value: str(label) for value, label in Disposition.choices},
            yes=pgettext("recording exists", "yes"),
            no=pgettext("recording exists", "no"),
        )


def csv_lines(rows: Iterable[dict], labels: Labels) -> Iterator[str]:
    """The BOM and header, then one CSV line per row."""
    writer = csv.writer(_Echo(), delimiter=DELIMITER, lineterminator="\r\n")
    zone = local_zone()
    yield BOM + writer.writerow(labels.header)
    for row in rows:
        has_recording = row.get("has_recording")
        yield writer.writerow(
            [
                row["started_at"].astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
                labels.directions.get(row["direction"], row["direction"]),
                safe_text(row["caller"]),
                safe_text(row["callee"]),
                safe_text(row["extension"]),
                safe_text(row["queue_number"]),
                labels.dispositions.get(row["disposition"], row["disposition"]),
                row["talk_seconds"],
                minutes_seconds(row["talk_seconds"]),
                decimal_comma(row["cost_net"]),
                decimal_comma(row["cost_gross"]),
                "" if has_recording is None else (labels.yes if has_recording else labels.no),
                safe_text(row["call_id"]),
            ]
        )


def file_name(filters: HistoryFilters) -> str:
    """E.g. historia-polaczen_2025-03-01_2025-03-31.csv (ASCII only, the stem in the panel's language)."""
    first = timezone.localtime(filters.start).date()
    last = timezone.localtime(filters.end - timedelta(microseconds=1)).date()
    stem = pgettext("file name", "call-history")
    return f"{stem}_{first.isoformat()}_{last.isoformat()}.csv"


def call_history_csv_response(*, customer: Customer, filters: HistoryFilters) -> StreamingHttpResponse:
    """The whole filtered set as a streamed CSV download."""
    rows = call_history_export_rows(customer=customer, filters=filters)
    response = StreamingHttpResponse(csv_lines(rows, Labels.current()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{file_name(filters)}"'
    response["Cache-Control"] = "no-store"
    return response
