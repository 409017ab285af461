"""Polish public holidays ("dni ustawowo wolne od pracy") of any year. Plain Python, no Django.

Time conditions may treat these days as closed all day. The Easter-based
days (Easter Sunday and Monday, Pentecost Sunday, Corpus Christi) come from
the Gregorian computus (the anonymous algorithm of Meeus/Jones/Butcher). The
names are English msgids, marked for translation and translated where they
are shown.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

EPIPHANY_FROM = 2011  # 6 January is a public holiday again since 2011
CHRISTMAS_EVE_FROM = 2025  # 24 December is a public holiday since 2025 (act of 6 December 2024)


def _(message: str) -> str:
    """Marks a msgid for makemessages; the text is translated where it is shown."""
    return message


def easter_sunday(year: int) -> date:
    """Easter Sunday in the Gregorian calendar."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    shift = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * shift) // 451
    month, day = divmod(h + shift - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def public_holidays(year: int) -> dict[date, str]:
    """Every public holiday of `year` in Poland mapped to its (English msgid) name, in date order."""
    easter = easter_sunday(year)
    days = {
        date(year, 1, 1): _("New Year's Day"),
        easter: _("Easter Sunday"),
        easter + timedelta(days=1): _("Easter Monday"),
        date(year, 5, 1): _("Labour Day"),
        date(year, 5, 3): _("Constitution Day"),
        easter + timedelta(days=49): _("Pentecost Sunday"),
        easter + timedelta(days=60): _("Corpus Christi"),
        date(year, 8, 15): _("Assumption of Mary"),
        date(year, 11, 1): _("All Saints' Day"),
        date(year, 11, 11): _("Independence Day"),
        date(year, 12, 25): _("Christmas Day"),
        date(year, 12, 26): _("Second Day of Christmas"),
    }
    if year >= EPIPHANY_FROM:
        days[date(year, 1, 6)] = _("Epiphany")
    if year >= CHRISTMAS_EVE_FROM:
        days[date(year, 12, 24)] = _("Christmas Eve")
    return dict(sorted(days.items()))


def holiday_name(day: date) -> str | None:
    """The name of the public holiday on `day`, or None on a normal day."""
    return public_holidays(day.year).get(day)


def is_public_holiday(day: date) -> bool:
    return holiday_name(day) is not None
