"""Forms of the recordings page: the list's filters (also used for the ZIP) and the total retention."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from recordings.choices import Direction
from recordings.retention import allowed_days
from recordings.selectors import RecordingFilters


class RecordingFilterForm(forms.Form):
    """GET filters of the list; the same fields (plus `day`) choose what goes into a ZIP."""

    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    q = forms.CharField(
        label=_("Number"),
        required=False,
        max_length=32,
        help_text=_("Digits of the caller's or the callee's number, e.g. 501222 or 10."),
    )
    direction = forms.ChoiceField(label=_("Direction"), required=False, choices=[("", _("all")), *Direction.choices])
    day = forms.DateField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("day"):
            cleaned["date_from"] = cleaned["date_to"] = cleaned["day"]
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def filters(self) -> RecordingFilters:
        """The valid filters; an invalid field filters nothing (its error is shown next to it)."""
        data = self.cleaned_data if self.is_valid() else {}
        return RecordingFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            number=data.get("q") or "",
            direction=data.get("direction") or "",
        )

    @property
    def is_filtered(self) -> bool:
        filters = self.filters()
        return bool(filters.date_from or filters.date_to or filters.number or filters.direction)


def retention_label(days: int) -> str:
    """e.g. "30 days", "90 days (3 months)", "720 days (24 months)"."""
    label = ngettext("%(days)d day", "%(days)d days", days) % {"days": days}
    months = days // 30
    if months <= 1:
        return label
    return _("%(days)s (%(months)s)") % {
        "days": label,
        "months": ngettext("%(count)d month", "%(count)d months", months) % {"count": months},
    }


class RetentionForm(forms.Form):
    """The customer's total retention: 30 days, or longer in 30-day steps up to 24 months."""

    total_days = forms.TypedChoiceField(
        label=_("Total retention time"),
        coerce=int,
        help_text=_(
            "Recordings are kept this long from the call, then deleted for good. 30 days are included; each "
            "further 30 days cost the monthly fee of the longer retention. The panel shows the last 30 days; "
            "older recordings are on the FTP server."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["total_days"].choices = [(days, retention_label(days)) for days in allowed_days()]
