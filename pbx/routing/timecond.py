"""Time conditions of a scheme: weekly opening hours and holidays, in Europe/Warsaw wall-clock time.

The hours are `{"mon": [["08:00", "16:00"]], ..., "sun": []}`: a call matches
when its local time falls in one of the day's intervals (start included, end
excluded; "24:00" ends at midnight). An interval whose end is not after its
start runs past midnight into the next day ("22:00"-"06:00"). Holidays, from
the condition's own list or, when asked, Polish public holidays, are closed
all day. Malformed entries are ignored, so a damaged graph never stops a call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

WARSAW = ZoneInfo("Europe/Warsaw")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60


class TimeCode:
    OPEN = "time.open"
    CLOSED = "time.closed"
    CLOSED_ALL_DAY = "time.closed_all_day"
    HOLIDAY_LIST = "time.holiday_list"
    PUBLIC_HOLIDAY = "time.public_holiday"


@dataclass(frozen=True)
class TimeDecision:
    matched: bool
    code: str
    local: datetime
    hours: tuple[tuple[str, str], ...] = ()  # the intervals of the call's weekday
    interval: tuple[str, str] | None = None  # the interval that matched
    holiday: str | None = None  # the public holiday's name

    @property
    def weekday(self) -> str:
        return WEEKDAYS[self.local.weekday()]


def local_time(at: datetime) -> datetime:
    """`at` as Europe/Warsaw time; a naive datetime already is Warsaw wall-clock time."""
    if at.tzinfo is None:
        return at.replace(tzinfo=WARSAW)
    return at.astimezone(WARSAW)


def _minutes(text: Any) -> int | None:
    if not isinstance(text, str) or len(text) != 5 or text[2] != ":":
        return None
    hours, minutes = text[:2], text[3:]
    if not (hours.isdigit() and minutes.isdigit()):
        return None
    value = int(hours) * 60 + int(minutes)
    if int(minutes) > 59 or value > MINUTES_PER_DAY:
        return None
    return value


def _intervals(hours: Any, weekday: str) -> list[tuple[str, str, int, int]]:
    """The well-formed intervals of one weekday as (start text, end text, start minute, end minute)."""
    if not isinstance(hours, Mapping):
        return []
    found = []
    for interval in hours.get(weekday) or ():
        if not isinstance(interval, list | tuple) or len(interval) != 2:
            continue
        start, end = _minutes(interval[0]), _minutes(interval[1])
        if start is None or end is None or start == MINUTES_PER_DAY:
            continue
        found.append((interval[0], interval[1], start, end))
    return found


def _holiday_dates(values: Any) -> set[date]:
    dates = set()
    for value in values if isinstance(values, list | tuple) else ():
        try:
            dates.add(date.fromisoformat(value))
        except (TypeError, ValueError):
            continue
    return dates


def evaluate(config: Mapping[str, Any], at: datetime, public_holiday: Callable[[date], str | None]) -> TimeDecision:
    """Whether a call at `at` matches the time condition's `config` (see pbx.schemes.spec), and why."""
    local = local_time(at)
    today = local.date()
    hours = config.get("hours")
    weekday = WEEKDAYS[local.weekday()]
    today_intervals = _intervals(hours, weekday)
    listed = tuple((start, end) for start, end, _, _ in today_intervals)
    if today in _holiday_dates(config.get("holidays")):
        return TimeDecision(False, TimeCode.HOLIDAY_LIST, local, listed)
    if config.get("use_public_holidays"):
        name = public_holiday(today)
        if name:
            return TimeDecision(False, TimeCode.PUBLIC_HOLIDAY, local, listed, holiday=name)
    now = local.hour * 60 + local.minute
    for start_text, end_text, start, end in today_intervals:
        if (start < end and start <= now < end) or (end <= start and now >= start):
            return TimeDecision(True, TimeCode.OPEN, local, listed, (start_text, end_text))
    yesterday = WEEKDAYS[(local - timedelta(days=1)).weekday()]
    for start_text, end_text, start, end in _intervals(hours, yesterday):
        if end <= start and now < end:
            return TimeDecision(True, TimeCode.OPEN, local, listed, (start_text, end_text))
    code = TimeCode.CLOSED if today_intervals else TimeCode.CLOSED_ALL_DAY
    return TimeDecision(False, code, local, listed)
