"""Polish public holidays of any year (pbx/routing/holidays.py, no database)."""

from datetime import date

import pytest

from pbx.routing.holidays import easter_sunday, holiday_name, is_public_holiday, public_holidays

pytestmark = pytest.mark.smoke


@pytest.mark.parametrize(
    ("year", "easter"),
    [(2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5)), (2027, date(2027, 3, 28))],
)
def test_easter_sunday(year, easter):
    assert easter_sunday(year) == easter


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 1, 1), "New Year's Day"),
        (date(2026, 1, 6), "Epiphany"),
        (date(2026, 4, 5), "Easter Sunday"),
        (date(2026, 4, 6), "Easter Monday"),
        (date(2026, 5, 1), "Labour Day"),
        (date(2026, 5, 3), "Constitution Day"),
        (date(2026, 5, 24), "Pentecost Sunday"),
        (date(2026, 6, 4), "Corpus Christi"),
        (date(2026, 8, 15), "Assumption of Mary"),
        (date(2026, 11, 1), "All Saints' Day"),
        (date(2026, 11, 11), "Independence Day"),
        (date(2026, 12, 24), "Christmas Eve"),
        (date(2026, 12, 25), "Christmas Day"),
        (date(2026, 12, 26), "Second Day of Christmas"),
        (date(2027, 3, 28), "Easter Sunday"),
        (date(2027, 3, 29), "Easter Monday"),
        (date(2027, 5, 16), "Pentecost Sunday"),
        (date(2027, 5, 27), "Corpus Christi"),
        (date(2027, 12, 24), "Christmas Eve"),
    ],
)
def test_public_holidays_of_2026_and_2027(day, name):
    assert holiday_name(day) == name
    assert is_public_holiday(day)


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 4, 7),  # the Tuesday after Easter
        date(2026, 6, 5),  # the Friday after Corpus Christi
        date(2026, 5, 2),  # between 1 and 3 May
        date(2026, 12, 27),
        date(2026, 12, 31),
        date(2027, 4, 5),  # Easter Monday of 2026's calendar is not one in 2027
        date(2024, 12, 24),  # Christmas Eve became a holiday only in 2025
        date(2010, 1, 6),  # Epiphany is a holiday again only since 2011
    ],
)
def test_ordinary_days(day):
    assert holiday_name(day) is None
    assert not is_public_holiday(day)


def test_thirteen_or_fourteen_holidays_a_year_in_date_order():
    assert len(public_holidays(2024)) == 13
    for year in (2025, 2026, 2027, 2030):
        days = list(public_holidays(year))
        assert len(days) == 14
        assert days == sorted(days)
        assert all(day.year == year for day in days)


def test_easter_falls_on_a_sunday_between_22_march_and_25_april():
    for year in range(1990, 2100):
        easter = easter_sunday(year)
        assert easter.weekday() == 6
        assert date(year, 3, 22) <= easter <= date(year, 4, 25)
