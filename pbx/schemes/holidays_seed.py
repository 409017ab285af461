"""Polish public holidays to seed a new time condition's list of holiday dates.

A new time condition in the editor starts with the holidays of the current and
the next year, so "poza godzinami" applies on those days without the customer
typing them in. The calendar itself lives in pbx.routing.holidays.
"""

from __future__ import annotations

from datetime import date

from pbx.routing.holidays import public_holidays


def seed_holidays(today: date) -> list[str]:
    """The public holidays of `today`'s year and the next one, as the 'YYYY-MM-DD' strings of the graph."""
    return [day.isoformat() for year in (today.year, today.year + 1) for day in sorted(public_holidays(year))]
