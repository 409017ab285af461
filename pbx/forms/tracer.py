"""The call tracer's form: which call to follow, and when. Every choice comes from the customer's own objects."""

from __future__ import annotations

import re
from datetime import datetime

from django import forms
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from panel.generic import restrict_form_fields
from panel.models import Customer
from pbx import registry
from pbx.forms.external import NUMBER_ERRORS
from pbx.models import PhoneNumber, Scheme, SipAccount
from pbx.numbering import InvalidNumber, format_number, normalise_external_number
from pbx.routing import DialInCall, DialledCall, IncomingCall

INCOMING = "incoming"
OUTGOING = "outgoing"
DIAL_IN = "dialin"
DIALLED = re.compile(r"^[0-9*#+]{1,40}\Z")
SEPARATORS = re.compile(r"[\s\-./()]+")


class PhoneNumberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: PhoneNumber) -> str:
        number = format_number(obj.number)
        return f"{number} – {obj.description}" if obj.description else number


class ExtensionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: SipAccount) -> str:
        return f"{obj.extension} – {obj.name}" if obj.name else obj.extension


class AuthorizedNumberChoice(forms.ModelChoiceField):
    """One of the numbers allowed to call the dial-in service number (pbx.registry.dial_in_callers)."""

    def label_from_instance(self, obj) -> str:
        number = format_number(obj.number)
        return f"{number} – {obj.description}" if obj.description else number


class TracerForm(forms.Form):
    direction = forms.ChoiceField(
        label=_("Which call"),
        choices=[
            (INCOMING, _("An incoming call to my number")),
            (OUTGOING, _("A call from an extension")),
            (DIAL_IN, _("Dial-in (the service number)")),
        ],
        initial=INCOMING,
        widget=forms.RadioSelect,
    )
    phone_number = PhoneNumberChoice(
        label=_("Called number"),
        queryset=PhoneNumber.objects.all(),
        required=False,
        empty_label=_("– choose your number –"),
        help_text=_("The number the caller dials. Its “Forward to” setting decides where the call goes."),
    )
    scheme = forms.ModelChoiceField(
        label=_("Or a call-flow scheme directly"),
        queryset=Scheme.objects.all(),
        required=False,
        empty_label=_("– none –"),
        help_text=_("Follow a call straight into a scheme, even one not bound to any number yet."),
    )
    caller = forms.CharField(
        label=_("Caller's number"),
        required=False,
        max_length=30,
        help_text=_("Who is calling, e.g. 600 100 200 or +49 30 1234567. Leave empty for a withheld number."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    extension = ExtensionChoice(
        label=_("Calling extension"),
        queryset=SipAccount.objects.all(),
        required=False,
        empty_label=_("– choose an extension –"),
    )
    dialled = forms.CharField(
        label=_("Dialled number"),
        required=False,
        max_length=40,
        help_text=_(
            "What the extension dials: another extension (e.g. 11), a queue, a code (*98, 1000*1, a short code, "
            "*600100200#) or a phone number (600 100 200, +49 30 1234567)."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    authorized = AuthorizedNumberChoice(
        label=_("Calling authorized number"),
        queryset=None,  # set per customer from pbx.registry.dial_in_callers
        required=False,
        empty_label=_("– choose an authorized number –"),
        help_text=_("The employee's mobile that calls the service number to be connected with another number."),
    )
    date = forms.DateField(
        label=_("Date of the call"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    time = forms.TimeField(
        label=_("Time of the call"),
        help_text=_("Polish time (Europe/Warsaw)."),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )

    def __init__(self, *args, customer: Customer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if registry.dial_in_callers:
            callers = registry.dial_in_callers[0](customer=customer)
            self.fields["authorized"].queryset = callers.order_by("number")
        else:  # no app offers dial-in: nobody to choose
            del self.fields["authorized"]
            self.fields["direction"].choices = [
                (value, label) for value, label in self.fields["direction"].choices if value != DIAL_IN
            ]
        restrict_form_fields(self, customer)
        self.fields["phone_number"].queryset = self.fields["phone_number"].queryset.order_by("number")
        self.fields["extension"].queryset = self.fields["extension"].queryset.order_by(Length("extension"), "extension")
        self.fields["scheme"].queryset = self.fields["scheme"].queryset.order_by("name")

    @staticmethod
    def initial_values(now: datetime | None = None) -> dict:
        now = timezone.localtime(now)
        return {"direction": INCOMING, "date": now.date(), "time": now.time().replace(second=0, microsecond=0)}

    def clean_caller(self) -> str:
        raw = self.cleaned_data["caller"].strip()
        if not raw:
            return ""
        try:
            return normalise_external_number(raw)
        except InvalidNumber as error:
            raise forms.ValidationError(NUMBER_ERRORS[error.code]) from error

    def clean_dialled(self) -> str:
        dialled = SEPARATORS.sub("", self.cleaned_data["dialled"])
        if dialled and not DIALLED.match(dialled):
            raise forms.ValidationError(_("Dial digits, * and # only (and + in front of a number abroad)."))
        return dialled

    def clean(self):
        data = super().clean()
        if data.get("direction") == OUTGOING:
            if not data.get("extension") and "extension" not in self.errors:
                self.add_error("extension", _("Choose the extension that makes the call."))
            if not data.get("dialled") and "dialled" not in self.errors:
                self.add_error("dialled", _("Enter what the extension dials."))
        elif data.get("direction") == DIAL_IN:
            if not data.get("authorized") and "authorized" not in self.errors:
                self.add_error("authorized", _("Choose the authorized number that calls."))
        elif data.get("direction") == INCOMING and not (
            data.get("phone_number") or data.get("scheme") or self.has_error("phone_number") or self.has_error("scheme")
        ):
            self.add_error("phone_number", _("Choose the number that is called."))
        return data

    def call(self) -> IncomingCall | DialledCall | DialInCall:
        """The call to trace, from the valid form."""
        data = self.cleaned_data
        at = datetime.combine(data["date"], data["time"])
        if data["direction"] == DIAL_IN:
            return DialInCall(caller=data["authorized"].number, at=at)
        if data["direction"] == OUTGOING:
            return DialledCall(extension=data["extension"].extension, dialled=data["dialled"], at=at)
        if data.get("phone_number"):
            return IncomingCall(did=data["phone_number"].number, at=at, caller=data["caller"])
        return IncomingCall(did=None, scheme=data["scheme"].pk, at=at, caller=data["caller"])
