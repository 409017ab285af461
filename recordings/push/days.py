"""The recording day in Polish local time, with its real length on daylight-saving days.

Plain Python with no Django. A day runs from local midnight to the next local
midnight in Europe/Warsaw, so the last Sunday of March has 23 hours and the
last Sunday of October 25; recordings are assigned to days by their local
start, exactly like their folder on the recordings FTP server.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from recordings.naming import LOCAL_ZONE


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of `day` in Europe/Warsaw, as aware UTC datetimes."""
    start = datetime.combine(day, time.min, tzinfo=LOCAL_ZONE)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=LOCAL_ZONE)
    return start.astimezone(UTC), end.astimezone(UTC)


def local_day_of(moment: datetime) -> date:
    """The local (Polish) calendar day of an aware datetime."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("the moment must be timezone-aware")
    return moment.astimezone(LOCAL_ZONE).date()


def previous_local_day(now: datetime) -> date:
    """The local day before the one `now` falls in: what the night's push sends."""
    return local_day_of(now) - timedelta(days=1)
