"""The queue statistics' period and queue choice (a GET form)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.history.forms import DateInput, PeriodFormMixin
from pbx.models import Queue


class QueueStatsForm(PeriodFormMixin, forms.Form):
    """Period (this month unless chosen, at most 366 days) and one queue or all of them."""

    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput)
    queue = forms.ModelChoiceField(
        label=_("Queue"), queryset=Queue.objects.all(), required=False, empty_label=_("All queues")
    )

    FIELDS = ("date_from", "date_to", "queue")

    @property
    def queue_number(self) -> str:
        queue = self.cleaned_data.get("queue")
        return queue.number if queue else ""
