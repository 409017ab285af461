"""Reads of the queue statistics: aggregated in the database, one query per table."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, F, FloatField, Func, Max, Q, QuerySet, Sum, When
from django.db.models.functions import TruncDate

from billing.choices import Disposition
from billing.history.forms import local_zone
from billing.models import CallRecord
from panel.models import Customer
from pbx.models import Queue, SipAccount

SERVICE_LEVEL_SECONDS = 20


class SecondsBetween(Func):
    """Seconds from the second datetime expression to the first, as a float (PostgreSQL; SQLite to the millisecond)."""

    output_field = FloatField()
    arg_joiner = " - "
    template = "EXTRACT(EPOCH FROM (%(expressions)s))"

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="(ROUND((julianday(%(expressions)s)) * 86400000.0) / 1000.0)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


ANSWERED = Q(disposition=Disposition.ANSWERED)


def wait_seconds():
    """Time in the queue: until an agent answered, or until the caller gave up or was sent away."""
    end = Case(When(ANSWERED & Q(answered_at__isnull=False), then=F("answered_at")), default=F("ended_at"))
    return SecondsBetween(end, F("started_at"))


def seconds_text(seconds: float | int | None) -> str:
    """A duration as m:ss (h:mm:ss from an hour), e.g. 1:05."""
    if seconds is None:
        return "–"
    total = int(Decimal(str(seconds)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@dataclass
class QueueSummary:
    """One queue's numbers over the period (or all queues together)."""

    number: str
    name: str
    offered: int = 0
    answered: int = 0
    answered_within: int = 0
    wait_total: float = 0.0
    wait_max: float | None = None
    talk_total: int = 0

    @property
    def label(self) -> str:
        return f"{self.name} ({self.number})" if self.name else self.number

    @property
    def abandoned(self) -> int:
        return self.offered - self.answered

    @property
    def service_level(self) -> Decimal | None:
        """Percent of the offered calls answered within 20 seconds."""
        if not self.offered:
            return None
        return (Decimal(self.answered_within) * 100 / self.offered).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def average_wait(self) -> float | None:
        return self.wait_total / self.offered if self.offered else None

    @property
    def average_talk(self) -> float | None:
        return self.talk_total / self.answered if self.answered else None

    @property
    def average_wait_text(self) -> str:
        return seconds_text(self.average_wait)

    @property
    def wait_max_text(self) -> str:
        return seconds_text(self.wait_max)

    @property
    def average_talk_text(self) -> str:
        return seconds_text(self.average_talk)

    def add(self, other: QueueSummary) -> None:
        self.offered += other.offered
        self.answered += other.answered
        self.answered_within += other.answered_within
        self.wait_total += other.wait_total
        self.talk_total += other.talk_total
        if other.wait_max is not None:
            self.wait_max = other.wait_max if self.wait_max is None else max(self.wait_max, other.wait_max)


@dataclass(frozen=True)
class DayRow:
    day: date
    offered: int
    answered: int

    @property
    def abandoned(self) -> int:
        return self.offered - self.answered


@dataclass(frozen=True)
class AgentRow:
    queue_number: str
    queue_name: str
    extension: str
    name: str
    answered: int
    talk_seconds: int

    @property
    def label(self) -> str:
        return f"{self.extension} {self.name}".strip()

    @property
    def average_talk(self) -> float | None:
        return self.talk_seconds / self.answered if self.answered else None

    @property
    def talk_text(self) -> str:
        return seconds_text(self.talk_seconds)

    @property
    def average_talk_text(self) -> str:
        return seconds_text(self.average_talk)


@dataclass
class QueueStatistics:
    start: datetime
    end: datetime
    queues: list[QueueSummary] = field(default_factory=list)
    total: QueueSummary = field(default_factory=lambda: QueueSummary(number="", name=""))
    days: list[DayRow] = field(default_factory=list)
    agents: list[AgentRow] = field(default_factory=list)

    @property
    def agent_totals(self) -> list[tuple[str, int, int]]:
        """(agent label, answered, talk seconds) over all shown queues, most answered first."""
        totals: dict[str, list[int]] = {}
        for agent in self.agents:
            entry = totals.setdefault(agent.label, [0, 0])
            entry[0] += agent.answered
            entry[1] += agent.talk_seconds
        return sorted(((label, a, t) for label, (a, t) in totals.items()), key=lambda item: (-item[1], item[0]))

    def chart_data(self) -> dict:
        """What the page's charts draw (also the source of the PDF's charts)."""
        agents = self.agent_totals
        return {
            "days": [row.day.isoformat() for row in self.days],
            "offered": [row.offered for row in self.days],
            "answered": [row.answered for row in self.days],
            "abandoned": [row.abandoned for row in self.days],
            "agents": [label for label, _answered, _talk in agents],
            "agent_answered": [answered for _label, answered, _talk in agents],
        }


def queue_calls(*, customer: Customer, start: datetime, end: datetime, queue_number: str = "") -> QuerySet:
    """The customer's calls that went through a queue (or through `queue_number`) in [start, end)."""
    calls = CallRecord.objects.for_customer(customer).filter(started_at__gte=start, started_at__lt=end)
    if queue_number:
        return calls.filter(queue_number=queue_number)
    return calls.exclude(queue_number="")


def queue_statistics(*, customer: Customer, start: datetime, end: datetime, queue_number: str = "") -> QueueStatistics:
    """Per queue, per day and per agent numbers of the customer's queues over [start, end)."""
    calls = queue_calls(customer=customer, start=start, end=end, queue_number=queue_number)
    queue_names = dict(Queue.objects.for_customer(customer).values_list("number", "name"))
    within = ANSWERED & Q(
        answered_at__isnull=False, answered_at__lte=F("started_at") + timedelta(seconds=SERVICE_LEVEL_SECONDS)
    )
    stats = QueueStatistics(start=start, end=end)

    rows = (
        calls.annotate(wait=wait_seconds())
        .values("queue_number")
        .annotate(
            offered=Count("id"),
            answered=Count("id", filter=ANSWERED),
            answered_within=Count("id", filter=within),
            wait_total=Sum("wait"),
            wait_max=Max("wait"),
            talk_total=Sum("talk_seconds", filter=ANSWERED),
        )
        .order_by("queue_number")
    )
    for row in rows:
        summary = QueueSummary(
            number=row["queue_number"],
            name=queue_names.get(row["queue_number"], ""),
            offered=row["offered"],
            answered=row["answered"],
            answered_within=row["answered_within"],
            wait_total=max(row["wait_total"] or 0.0, 0.0),
            wait_max=row["wait_max"],
            talk_total=row["talk_total"] or 0,
        )
        stats.queues.append(summary)
        stats.total.add(summary)

    zone = local_zone()
    per_day = {
        row["day"]: row
        for row in calls.annotate(day=TruncDate("started_at", tzinfo=zone))
        .values("day")
        .annotate(offered=Count("id"), answered=Count("id", filter=ANSWERED))
        .order_by("day")
    }
    day = start.astimezone(zone).date()
    last = (end - timedelta(microseconds=1)).astimezone(zone).date()
    while day <= last:
        row = per_day.get(day)
        stats.days.append(DayRow(day=day, offered=row["offered"] if row else 0, answered=row["answered"] if row else 0))
        day += timedelta(days=1)

    agent_names = dict(SipAccount.objects.for_customer(customer).values_list("extension", "name"))
    for row in (
        calls.filter(ANSWERED)
        .exclude(extension="")
        .values("queue_number", "extension")
        .annotate(answered=Count("id"), talk=Sum("talk_seconds"))
        .order_by("queue_number", "-answered", "extension")
    ):
        stats.agents.append(
            AgentRow(
                queue_number=row["queue_number"],
                queue_name=queue_names.get(row["queue_number"], ""),
                extension=row["extension"],
                name=agent_names.get(row["extension"], ""),
                answered=row["answered"],
                talk_seconds=row["talk"] or 0,
            )
        )
    return stats
