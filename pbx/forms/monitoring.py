"""The form that starts monitoring a live call: listen or whisper, and the phone the supervisor listens on."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from panel.models import Customer
from panel.templatetags.panel_tags import money
from pbx.models import ExternalNumber, LiveCall, SipAccount
from pbx.models.live import MonitorMode, MonitorTargetKind
from pbx.numbering import format_number
from pbx.selectors.monitoring import external_rates, monitor_extensions, monitor_external_numbers

BROWSER = "browser"
MODE_CHOICES = [
    (MonitorMode.LISTEN, pgettext_lazy("monitoring", "Listen")),
    (MonitorMode.WHISPER, pgettext_lazy("monitoring", "Whisper")),
]
TARGET_CHOICES = [
    (MonitorTargetKind.EXTENSION, _("On one of my extensions")),
    (MonitorTargetKind.EXTERNAL, _("On an external number (charged as a normal call)")),
    (BROWSER, _("In the browser")),
]
BROWSER_UNAVAILABLE = _(
    "Listening in the browser needs a WebRTC phone in the panel, which is not available yet. "
    "Choose an extension or an external number."
)


class ExternalNumberChoiceField(forms.ModelChoiceField):
    """External numbers shown with their per-minute rate (net), read from the tariff once for the whole list."""

    rates: dict = {}

    def label_from_instance(self, obj: ExternalNumber) -> str:
        label = format_number(obj.number)
        if obj.description:
            label = f"{label} – {obj.description}"
        rate = self.rates.get(obj.number)
        if rate is not None:
            label = _("%(number)s (%(rate)s zł/min net)") % {"number": label, "rate": money(rate.price_per_minute, 3)}
        return label


class ExtensionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: SipAccount) -> str:
        return f"{obj.extension} – {obj.name}" if obj.name else obj.extension


class MonitorForm(forms.Form):
    mode = forms.ChoiceField(label=_("What do you want to do"), choices=MODE_CHOICES, widget=forms.RadioSelect)
    target_kind = forms.ChoiceField(
        label=_("Where do you want to listen"),
        choices=TARGET_CHOICES,
        initial=MonitorTargetKind.EXTENSION,
        widget=forms.RadioSelect,
    )
    extension = ExtensionChoiceField(
        label=_("Extension"),
        queryset=SipAccount.objects.none(),
        required=False,
        empty_label=_("— choose an extension —"),
        help_text=_("The PBX rings this phone; pick it up to hear the call."),
    )
    external_number = ExternalNumberChoiceField(
        label=_("External number"),
        queryset=ExternalNumber.objects.none(),
        required=False,
        empty_label=_("— choose an external number —"),
        help_text=_("One of your external numbers (Moje Numery Zewnętrzne); the call to it is charged by your tariff."),
    )

    def __init__(self, *args, customer: Customer, live_call: LiveCall, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.live_call = live_call
        self.fields["extension"].queryset = monitor_extensions(customer=customer).exclude(extension=live_call.extension)
        numbers = monitor_external_numbers(customer=customer)
        self.fields["external_number"].queryset = numbers
        self.fields["external_number"].rates = external_rates(
            customer=customer, numbers=list(numbers.values_list("number", flat=True))
        )
        if not live_call.has_agent:
            self.fields["mode"].help_text = _(
                "Whisper speaks to your agent (your extension on the call) so that the other party does not hear "
                "it. This call has no extension of yours on it, so you can only listen."
            )

    def clean(self):
        cleaned = super().clean()
        mode, kind = cleaned.get("mode"), cleaned.get("target_kind")
        if mode == MonitorMode.WHISPER and not self.live_call.has_agent:
            self.add_error(
                "mode", _("This call has no extension of yours on it, so there is no agent to whisper to: listen.")
            )
        if kind == BROWSER:
            self.add_error("target_kind", BROWSER_UNAVAILABLE)
        elif kind == MonitorTargetKind.EXTENSION and not cleaned.get("extension"):
            self.add_error("extension", _("Choose the extension you want to listen on."))
        elif kind == MonitorTargetKind.EXTERNAL and not cleaned.get("external_number"):
            self.add_error("external_number", _("Choose the external number you want to listen on."))
        return cleaned

    @property
    def target(self) -> str:
        """The supervisor's phone as the PBX dials it: extension digits or an E.164 number."""
        if self.cleaned_data["target_kind"] == MonitorTargetKind.EXTENSION:
            return self.cleaned_data["extension"].extension
        return self.cleaned_data["external_number"].number
