"""The call-history filter form (a GET form) and the filters it turns into."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.choices import CallDirection

MAX_RANGE_DAYS = 366
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)
NUMBER_NOISE = re.compile(r"[\s\-()./]")


class Sort:
    DATE_DESC = "date_desc"
    DATE_ASC = "date_asc"
    COST_DESC = "cost_desc"
    COST_ASC = "cost_asc"

    CHOICES = (
        (DATE_DESC, _("Date: newest first")),
        (DATE_ASC, _("Date: oldest first")),
        (COST_DESC, _("Cost: highest first")),
        (COST_ASC, _("Cost: lowest first")),
    )


class Answered:
    YES = "yes"
    NO = "no"


@dataclass(frozen=True)
class HistoryFilters:
    """What the user asked to see; `start` is inclusive and `end` exclusive, both aware (UTC inside)."""

    start: datetime
    end: datetime
    direction: str = ""
    extension: str = ""
    number: str = ""
    answered: str = ""
    with_recording: bool = False
    min_cost: Decimal | None = None
    sort: str = Sort.DATE_DESC

    @property
    def days(self) -> int:
        """Calendar days in the period (a day with a DST change still counts as one)."""
        return round((self.end - self.start).total_seconds() / 86400)


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_start(day: date) -> datetime:
    """Midnight of `day` in Europe/Warsaw, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=local_zone())


def this_month(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    first = today.replace(day=1)
    next_first = (first + timedelta(days=32)).replace(day=1)
    return first, next_first - timedelta(days=1)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class PeriodFormMixin:
    """Date from / date to with the defaults and limits shared by the history and the queue statistics."""

    def clean(self):
        """Fill in this month for empty dates; refuse reversed, out-of-range or too long periods."""
        cleaned = super().clean()
        default_from, default_to = this_month()
        for name, default in (("date_from", default_from), ("date_to", default_to)):
            if name in self.errors:
                return cleaned
            if cleaned.get(name) is None:
                cleaned[name] = default
            elif not EARLIEST_DATE <= cleaned[name] <= LATEST_DATE:
                self.add_error(name, _("Choose a date between 2000 and 2099."))
                return cleaned
        date_from, date_to = cleaned["date_from"], cleaned["date_to"]
        if date_to < date_from:
            self.add_error("date_to", _("The end of the period cannot be before its start."))
        elif (date_to - date_from).days + 1 > MAX_RANGE_DAYS:
            self.add_error(
                "date_to",
                _("The period can be at most %(days)s days long. Choose a shorter period.") % {"days": MAX_RANGE_DAYS},
            )
        return cleaned

    @property
    def period(self) -> tuple[datetime, datetime]:
        return day_start(self.cleaned_data["date_from"]), day_start(self.cleaned_data["date_to"] + timedelta(days=1))


class HistoryFilterForm(PeriodFormMixin, forms.Form):
    """Every filter of the call history; empty fields mean "any", the period defaults to this month."""

    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput)
    direction = forms.ChoiceField(
        label=_("Direction"), required=False, choices=[("", _("All directions")), *CallDirection.choices]
    )
    extension = forms.RegexField(
        label=_("Extension"),
        required=False,
        regex=r"^[0-9]{1,6}\Z",
        max_length=6,
        error_messages={"invalid": _("An extension number is digits only, at most 6.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "list": "history-extensions", "autocomplete": "off"}),
    )
    q = forms.CharField(
        label=_("Number contains"),
        required=False,
        max_length=40,
        help_text=_("Digits of the caller's or the callee's number, e.g. 600 or 223334455."),
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    answered = forms.ChoiceField(
        label=_("Answered"),
        required=False,
        choices=[("", _("All calls")), (Answered.YES, _("Answered only")), (Answered.NO, _("Unanswered only"))],
    )
    with_recording = forms.BooleanField(label=_("With a recording only"), required=False)
    min_cost = forms.DecimalField(
        label=_("Cost from (zł net)"),
        required=False,
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=Sort.CHOICES)

    FIELDS = (
        "date_from",
        "date_to",
        "direction",
        "extension",
        "q",
        "answered",
        "with_recording",
        "min_cost",
        "sort",
    )

    def clean_q(self) -> str:
        value = NUMBER_NOISE.sub("", self.cleaned_data["q"]).lstrip("+")
        if value and not value.isdigit():
            raise ValidationError(_("Type digits of the number only."))
        return value

    def clean_sort(self) -> str:
        return self.cleaned_data["sort"] or Sort.DATE_DESC

    def filters(self) -> HistoryFilters:
        start, end = self.period
        data = self.cleaned_data
        return HistoryFilters(
            start=start,
            end=end,
            direction=data["direction"],
            extension=data["extension"],
            number=data["q"],
            answered=data["answered"],
            with_recording=data["with_recording"],
            min_cost=data["min_cost"],
            sort=data["sort"],
        )
