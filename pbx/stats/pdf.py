"""The queue statistics as a PDF, made on the server with ReportLab: the tables and the two charts.

The text is set in DejaVu Sans (Polish letters) when the system or the npm
package `dejavu-fonts-ttf` provides it; otherwise in ReportLab's own Vera,
with the few Polish letters Vera lacks written without their diacritics.
"""

from __future__ import annotations

import io
import unicodedata
from datetime import timedelta
from functools import cache
from pathlib import Path

import reportlab
from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from pbx.stats.selectors import QueueStatistics, seconds_text

BLUE = colors.HexColor("#0d6efd")
GREEN = colors.HexColor("#198754")
RED = colors.HexColor("#dc3545")
GRID = colors.HexColor("#dee2e6")
HEADER = colors.HexColor("#f1f3f5")
PAGE = landscape(A4)
MARGIN = 12 * mm
WIDTH = PAGE[0] - 2 * MARGIN
MAX_AGENTS_IN_CHART = 15


def _font_pairs() -> list[tuple[Path, Path]]:
    node = Path(settings.BASE_DIR) / "node_modules" / "dejavu-fonts-ttf" / "ttf"
    return [
        (node / "DejaVuSans.ttf", node / "DejaVuSans-Bold.ttf"),
        (
            Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
            Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
        ),
        (Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"), Path("/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf")),
        (Path("/usr/share/fonts/TTF/DejaVuSans.ttf"), Path("/usr/share/fonts/TTF/DejaVuSans-Bold.ttf")),
    ]


@cache
def fonts() -> tuple[str, str, frozenset[int] | None]:
    """(regular, bold, the characters the font has or None when it has all we write), registered once."""
    for regular, bold in _font_pairs():
        if regular.is_file() and bold.is_file():
            pdfmetrics.registerFont(TTFont("PanelSans", str(regular)))
            pdfmetrics.registerFont(TTFont("PanelSans-Bold", str(bold)))
            return "PanelSans", "PanelSans-Bold", None
    vera = Path(reportlab.__file__).parent / "fonts"
    pdfmetrics.registerFont(TTFont("PanelVera", str(vera / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont("PanelVera-Bold", str(vera / "VeraBd.ttf")))
    covered = frozenset(pdfmetrics.getFont("PanelVera").face.charToGlyph)
    return "PanelVera", "PanelVera-Bold", covered


def printable(text: str) -> str:
    """`text` with the letters the font lacks replaced by their base letter (ą → a); unchanged with DejaVu."""
    covered = fonts()[2]
    if covered is None:
        return text
    result = []
    for char in text:
        if ord(char) in covered or char in "\n\t":
            result.append(char)
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            result.append(base if base and all(ord(c) in covered for c in base) else "?")
    return "".join(result)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _integer_axis(axis, highest: int) -> None:
    """Whole-number ticks from zero (calls are counted, never halved)."""
    step = max(1, -(-highest // 6))
    axis.valueMin = 0
    axis.valueMax = max(step * 6, highest) if highest else 1
    axis.valueStep = step
    axis.labelTextFormat = "%d"


def number(value, places: int = 0) -> str:
    return formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def percent(value) -> str:
    return "–" if value is None else f"{number(value, 1)} %"


def _table(rows: list[list[str]], widths: list[float] | None = None, numeric_from: int = 1) -> Table:
    """A table whose header cells wrap (long Polish headers) and whose numbers are right-aligned."""
    regular, bold, _covered = fonts()
    header_style = ParagraphStyle("th", fontName=bold, fontSize=8.5, leading=10)
    header_right = ParagraphStyle("th-right", parent=header_style, alignment=2)
    header = [
        Paragraph(_escape(printable(str(cell))), header_right if index >= numeric_from else header_style)
        for index, cell in enumerate(rows[0])
    ]
    body = [[printable(str(cell)) for cell in row] for row in rows[1:]]
    table = Table([header, *body], colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), regular, 8.5),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER),
                ("GRID", (0, 0), (-1, -1), 0.4, GRID),
                ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    return table


def summary_rows(stats: QueueStatistics) -> list[list[str]]:
    rows = [
        [
            _("Queue"),
            _("Offered"),
            _("Answered"),
            _("Abandoned"),
            _("Answered within 20 s"),
            _("Service level"),
            _("Average wait"),
            _("Longest wait"),
            _("Average talk time"),
        ]
    ]
    summaries = [(summary.label, summary) for summary in stats.queues]
    if len(stats.queues) > 1:
        summaries.append((_("All queues"), stats.total))
    for label, summary in summaries:
        rows.append(
            [
                label,
                number(summary.offered),
                number(summary.answered),
                number(summary.abandoned),
                number(summary.answered_within),
                percent(summary.service_level),
                seconds_text(summary.average_wait),
                seconds_text(summary.wait_max),
                seconds_text(summary.average_talk),
            ]
        )
    return rows


def day_chart(stats: QueueStatistics) -> Drawing:
    """Offered, answered and abandoned calls per day, as grouped bars."""
    regular = fonts()[0]
    drawing = Drawing(WIDTH, 200)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 35, WIDTH - 60, 140
    chart.data = [
        [row.offered for row in stats.days] or [0],
        [row.answered for row in stats.days] or [0],
        [row.abandoned for row in stats.days] or [0],
    ]
    step = max(1, len(stats.days) // 31 + (1 if len(stats.days) % 31 else 0))
    chart.categoryAxis.categoryNames = [
        row.day.strftime("%d.%m") if index % step == 0 else "" for index, row in enumerate(stats.days)
    ] or [""]
    chart.categoryAxis.labels.fontName = regular
    chart.categoryAxis.labels.fontSize = 6.5
    chart.categoryAxis.labels.angle = 45
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.labels.fontName = regular
    chart.valueAxis.labels.fontSize = 7
    _integer_axis(chart.valueAxis, max((row.offered for row in stats.days), default=0))
    chart.barSpacing = 0.5
    chart.groupSpacing = 2
    for index, color in enumerate((BLUE, GREEN, RED)):
        chart.bars[index].fillColor = color
        chart.bars[index].strokeColor = None
    drawing.add(chart)
    drawing.add(_legend(40, 195, [(BLUE, _("Offered")), (GREEN, _("Answered")), (RED, _("Abandoned"))]))
    return drawing


def agent_chart(stats: QueueStatistics) -> Drawing:
    """Answered calls per agent (the busiest first), as horizontal bars."""
    regular = fonts()[0]
    agents = stats.agent_totals[:MAX_AGENTS_IN_CHART]
    height = 16 + 18 * max(len(agents), 1)
    drawing = Drawing(WIDTH, height + 50)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 150, 22, WIDTH - 200, height
    # The first category is drawn at the bottom: reverse so the busiest agent is on top.
    chart.data = [[answered for _label, answered, _talk in reversed(agents)] or [0]]
    chart.categoryAxis.categoryNames = [printable(label) for label, _answered, _talk in reversed(agents)] or [""]
    chart.categoryAxis.labels.fontName = regular
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.labels.fontName = regular
    chart.valueAxis.labels.fontSize = 7
    _integer_axis(chart.valueAxis, max((answered for _label, answered, _talk in agents), default=0))
    chart.bars[0].fillColor = GREEN
    chart.bars[0].strokeColor = None
    drawing.add(chart)
    drawing.add(_legend(150, height + 44, [(GREEN, _("Answered calls"))]))
    return drawing


def _legend(x: float, y: float, items: list[tuple]) -> Legend:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.fontName = fonts()[0]
    legend.fontSize = 8
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.boxAnchor = "nw"
    legend.deltax = 90
    legend.colorNamePairs = [(color, printable(str(label))) for color, label in items]
    return legend


def queue_statistics_pdf_name(stats: QueueStatistics) -> str:
    first = timezone.localtime(stats.start).date()
    last = timezone.localtime(stats.end - timedelta(microseconds=1)).date()
    base = pgettext("file name", "queue-statistics")
    return f"{base}_{first.isoformat()}_{last.isoformat()}.pdf"


def queue_statistics_pdf(*, stats: QueueStatistics, customer, queue=None) -> bytes:
    """The PDF document: title and period, the per-queue table, the charts and tables per day and per agent."""
    regular, bold, _covered = fonts()
    title_style = ParagraphStyle("title", fontName=bold, fontSize=16, leading=20, spaceAfter=4)
    heading_style = ParagraphStyle("heading", fontName=bold, fontSize=11.5, leading=15, spaceBefore=10, spaceAfter=4)
    text_style = ParagraphStyle("text", fontName=regular, fontSize=9, leading=12)

    def paragraph(text: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(_escape(printable(str(text))), style)

    first = timezone.localtime(stats.start).date()
    last = timezone.localtime(stats.end - timedelta(microseconds=1)).date()
    period = _("Period: %(first)s – %(last)s") % {
        "first": first.strftime("%d.%m.%Y"),
        "last": last.strftime("%d.%m.%Y"),
    }
    scope = _("Queue: %(queue)s") % {"queue": queue} if queue else _("All queues")
    story = [
        paragraph(_("Queue statistics"), title_style),
        paragraph(f"{customer.name} · {period} · {scope}", text_style),
        paragraph(
            _("Service level: the share of offered calls answered within %(seconds)s seconds.") % {"seconds": 20},
            text_style,
        ),
        paragraph(_("Queues"), heading_style),
    ]
    if stats.queues:
        story.append(_table(summary_rows(stats), widths=[WIDTH - 8 * 72] + [72] * 8))
    else:
        story.append(paragraph(_("No queue calls in this period."), text_style))

    story += [KeepTogether([paragraph(_("Calls per day"), heading_style), day_chart(stats)]), Spacer(1, 4)]
    day_rows = [[_("Day"), _("Offered"), _("Answered"), _("Abandoned")]]
    day_rows += [
        [row.day.strftime("%d.%m.%Y"), number(row.offered), number(row.answered), number(row.abandoned)]
        for row in stats.days
        if row.offered
    ]
    if len(day_rows) > 1:
        story.append(_table(day_rows, widths=[90, 80, 80, 80]))

    if stats.agents:
        story.append(KeepTogether([paragraph(_("Agents"), heading_style), agent_chart(stats)]))
        agent_rows = [[_("Queue"), _("Agent"), _("Answered calls"), _("Talk time"), _("Average talk time")]]
        agent_rows += [
            [
                f"{agent.queue_name} ({agent.queue_number})" if agent.queue_name else agent.queue_number,
                agent.label,
                number(agent.answered),
                seconds_text(agent.talk_seconds),
                seconds_text(agent.average_talk),
            ]
            for agent in stats.agents
        ]
        story.append(_table(agent_rows, widths=[200, 220, 100, 100, 100], numeric_from=2))
    else:
        story.append(paragraph(_("Agents"), heading_style))
        story.append(paragraph(_("No answered queue calls in this period."), text_style))

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=printable(str(_("Queue statistics"))),
        author="Centrala",
    )
    document.build(story)
    return buffer.getvalue()
