"""The create/edit form of a SIP account, grouped in the sections of the original panel."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models.functions import Length
from django.forms.models import construct_instance
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from panel.models import Customer
from panel.templatetags.panel_tags import money
from pbx import choices, constants
from pbx.models import ExternalNumber, PhoneNumber, SipAccount
from pbx.selectors.sip import FORWARD_CONDITIONS
from pbx.services import sip as sip_services

FORWARD_HELP = {
    "no_answer": _("Where the call goes if it is not answered within the ring time set in the “General” section."),
    "busy": _("Where the call goes if the extension is busy."),
    "unavailable": _("Where the call goes if the extension becomes unavailable."),
}


@dataclass
class Group:
    """Several checkboxes under one label, e.g. "Zapowiedź dotyczy"."""

    label: str
    help_text: str
    names: tuple[str, ...]
    fields: list = field(default_factory=list)


@dataclass
class Section:
    key: str
    title: str
    intro: str = ""
    rows: list = field(default_factory=list)


SECTION_LAYOUT = (
    ("general", _("General"), "", ("extension", "name", "account_type", "password", "password_confirm")),
    (
        "presentation",
        _("Number presentation"),
        "",
        ("caller_id", "internal_presentation", "internal_substitute", "sms_sender", "ring_time", "call_waiting"),
    ),
    (
        "voicemail",
        _("Voicemail (Voice2Mail)"),
        "",
        (
            "voicemail_enabled",
            "voicemail_pin",
            "voicemail_email",
            "greeting_kind",
            Group(
                _("The greeting applies"),
                _("Choose in which situations the greeting is played."),
                ("voicemail_on_no_answer", "voicemail_on_busy"),
            ),
        ),
    ),
    (
        "forwarding",
        _("Forwarding conditions"),
        _(
            "Below you can set up forwarding of calls to another extension, to voicemail or to any external "
            "number. The time after which the conditions apply is set in the “General” section."
        ),
        ("return_after", "return_action"),
    ),
    (
        "advanced",
        _("Advanced options"),
        "",
        (
            "encryption",
            "international",
            "max_rate_mode",
            "max_rate",
            "require_outgoing_pin",
            "outgoing_pin",
            "monitor_health",
            "t38_fax",
        ),
    ),
)


# Rows that apply only for some value of another field: (controlling field, space-separated values).
SHOW_WHEN = {
    "internal_substitute": ("internal_presentation", choices.InternalPresentation.SUBSTITUTE.value),
    "voicemail_pin": ("voicemail_enabled", "true"),
    "voicemail_email": ("voicemail_enabled", "true"),
    "greeting_kind": ("voicemail_enabled", "true"),
    "voicemail_on_no_answer": ("voicemail_enabled", "true"),
    "max_rate": ("max_rate_mode", choices.MaxRateMode.OWN.value),
    "outgoing_pin": ("require_outgoing_pin", "true"),
}


class SipAccountForm(forms.ModelForm):
    """All settings of an extension. The password is only ever turned into digest hashes by the service."""

    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirm = forms.CharField(
        label=_("Confirm password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    require_outgoing_pin = forms.BooleanField(
        label=_("The caller must enter a PIN before making a call"),
        required=False,
        help_text=_("Enter a PIN here if the caller has to give it before an outgoing call starts."),
    )

    class Meta:
        model = SipAccount
        fields = list(sip_services.EDITABLE_FIELDS)
        labels = {
            "extension": _("Extension number"),
            "name": _("Name of the SIP account"),
            "account_type": _("Account type"),
            "caller_id": _("Number presentation"),
            "internal_presentation": _("Internal number presentation"),
            "internal_substitute": _("Substitute number"),
            "sms_sender": _("SMS sender field"),
            "ring_time": _("Ring time (s)"),
            "call_waiting": _("Call waiting"),
            "voicemail_enabled": _("Turn on the voicemail service"),
            "voicemail_pin": _("Voicemail PIN"),
            "voicemail_email": _("E-mail address"),
            "greeting_kind": _("Greeting"),
            "voicemail_on_no_answer": _("When the phone is not answered or is unreachable"),
            "voicemail_on_busy": _("When the phone is busy"),
            "return_after": _("Return after (s)"),
            "return_action": _("Then"),
            "encryption": _("Call encryption (DTLS-SRTP)"),
            "international": _("International calls"),
            "max_rate_mode": _("Max. per-minute rate"),
            "max_rate": _("Own maximum rate (zł net/min)"),
            "outgoing_pin": _("PIN for outgoing calls"),
            "monitor_health": _("Monitor and check that this extension works properly"),
            "t38_fax": _("I will send faxes from this extension (turn on the special T.38 codec for sending faxes)"),
        }
        help_texts = {
            "extension": _(
                "The extension number of the account in the PBX, e.g. 10, 15, 100, used mainly for internal "
                "calls between consultants."
            ),
            "name": _(
                "The account name, visible only inside the company, makes it easier to identify the consultant "
                "who uses this SIP account."
            ),
            "caller_id": _("The number shown on the screen of the person you call with this SIP account."),
            "internal_presentation": _(
                "Number presentation inside your company: for each number you can substitute a presentation "
                "other than the default extension number, or show the real extension number."
            ),
            "internal_substitute": _("The number shown to colleagues instead of the extension number."),
            "sms_sender": _(
                "The sender field of SMS messages sent from this extension. Leave empty for a random number."
            ),
            "ring_time": _("How long calls to this extension ring."),
            "call_waiting": _(
                "When on, the person on a call is told about a waiting call. When off, the waiting call is "
                "rejected with a busy signal."
            ),
            "voicemail_pin": _("The code gives access to the voicemail from a phone."),
            "voicemail_email": _("New voice messages are sent to this e-mail address."),
            "greeting_kind": _(
                "You can use the system greeting or attach a file with your own. To record the greeting on a "
                "phone, call *98 > PIN > press 0. A greeting recorded on a computer can be uploaded as a WAV "
                "or MP3 file."
            ),
            "return_after": _(
                "If the call is not answered by the chosen forward target, the PBX sends it on, e.g. to "
                "voicemail, or hangs up."
            ),
            "encryption": _(
                "When on, calls between your device and the PBX are encrypted. The device must support the "
                "DTLS-SRTP encryption method."
            ),
            "international": _("Here you set the permission of this extension to make international calls."),
            "max_rate_mode": _(
                "You can set a maximum per-minute rate for calls from this extension that differs from the "
                "default one. A call to a more expensive destination is refused."
            ),
            "monitor_health": _("Our system can check that this extension works properly."),
            "t38_fax": _("Tick this option if faxes will be sent from this extension."),
        }
        widgets = {
            "extension": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "voicemail_pin": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "outgoing_pin": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        }

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.instance.customer = customer
        self.creating = self.instance.pk is None
        self.previous_extension = None if self.creating else self.instance.extension

        password = self.fields["password"]
        password_rules = gettext(
            "At least %(count)d characters with letters and digits; it must not contain the SIP user name or "
            "the extension number."
        ) % {"count": sip_services.passwords.MIN_LENGTH}
        if self.creating:
            password.required = True
            self.fields["password_confirm"].required = True
            password.help_text = gettext("The access password of the new SIP account.") + " " + password_rules
        else:
            password.help_text = gettext("Leave empty to keep the current password.") + " " + password_rules
            self.fields["password_confirm"].help_text = gettext("Only needed when you enter a new password.")

        caller_id = self.fields["caller_id"]
        caller_id.queryset = PhoneNumber.objects.for_customer(customer).order_by("number")
        caller_id.empty_label = gettext("Withheld number")
        caller_id.label_from_instance = lambda number: f"{number.number} {number.description}".strip()

        extensions = SipAccount.objects.for_customer(customer).select_related("customer")
        if not self.creating:
            extensions = extensions.exclude(pk=self.instance.pk)
        externals = ExternalNumber.objects.for_customer(customer).order_by("number")
        for condition in FORWARD_CONDITIONS:
            condition_label = choices.ForwardCondition(condition).label
            kind = self.fields[f"fwd_{condition}_kind"]
            kind.label = condition_label
            kind.help_text = FORWARD_HELP[condition]
            target = self.fields[f"fwd_{condition}_sip"]
            target.queryset = extensions.order_by(Length("extension"), "extension")
            target.label = gettext("%(condition)s: extension") % {"condition": condition_label}
            target.empty_label = "—"
            target.label_from_instance = lambda account: (
                f"{account.extension} - {account.name} ({account.sip_username})"
            )
            target.help_text = ""
            external = self.fields[f"fwd_{condition}_external"]
            external.queryset = externals
            external.label = gettext("%(condition)s: external number") % {"condition": condition_label}
            external.empty_label = "—"
            external.label_from_instance = lambda number: f"{number.number} {number.description}".strip()
            external.help_text = ""

        self.fields["max_rate_mode"].choices = [
            (
                choices.MaxRateMode.GLOBAL,
                gettext("Apply the global maximum per-minute rate (i.e. %(rate)s zł net/min)")
                % {"rate": money(constants.GLOBAL_MAX_RATE)},
            ),
            (choices.MaxRateMode.OWN, gettext("Own value")),
        ]
        max_rate = self.fields["max_rate"]
        max_rate.localize = True
        max_rate.widget = forms.TextInput(attrs={"inputmode": "decimal"})
        max_rate.widget.is_localized = True
        self.fields["require_outgoing_pin"].initial = bool(self.instance.outgoing_pin)
        for name in ("ring_time", "return_after"):
            self.fields[name].widget.attrs.update({"min": constants.MIN_SECONDS, "max": constants.MAX_SECONDS})

    # ----------------------------------------------------------------- layout
    def sections(self) -> list[Section]:
        """The fields in the sections of the page, for the template.

        Each row is {"field": bound field} or {"group": Group}, with "show_when"
        (controlling field name, values) for rows that JavaScript hides while
        they do not apply; without JavaScript every row stays visible.
        """
        result = []
        for key, title, intro, names in SECTION_LAYOUT:
            section = Section(key=key, title=title, intro=intro)
            for name in names:
                if isinstance(name, Group):
                    group = Group(name.label, name.help_text, name.names, [self[item] for item in name.names])
                    section.rows.append({"group": group, "show_when": SHOW_WHEN.get(name.names[0])})
                else:
                    section.rows.append({"field": self[name], "show_when": SHOW_WHEN.get(name)})
            result.append(section)
        return result

    def forward_rows(self) -> list[dict[str, Any]]:
        """One row per forwarding condition: the kind and its two possible targets."""
        return [
            {
                "condition": condition,
                "kind": self[f"fwd_{condition}_kind"],
                "sip": self[f"fwd_{condition}_sip"],
                "external": self[f"fwd_{condition}_external"],
            }
            for condition in FORWARD_CONDITIONS
        ]

    # ------------------------------------------------------------- validation
    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password") or ""
        confirm = cleaned.get("password_confirm") or ""
        if (password or confirm) and password != confirm and "password_confirm" not in self.errors:
            self.add_error("password_confirm", gettext("The two passwords differ."))
        if cleaned.get("require_outgoing_pin"):
            if not cleaned.get("outgoing_pin") and "outgoing_pin" not in self.errors:
                self.add_error("outgoing_pin", gettext("Enter the PIN callers must give."))
        elif "outgoing_pin" in cleaned:
            cleaned["outgoing_pin"] = ""

        proposed = construct_instance(self, copy.copy(self.instance), fields=self._meta.fields)
        try:
            sip_services.validate_sip_account(
                customer=self.customer,
                account=proposed,
                previous_extension=self.previous_extension,
                password=password or None,
            )
        except ValidationError as error:
            self.add_service_errors(error)
        return cleaned

    def add_service_errors(self, error: ValidationError) -> None:
        """Show the service's errors on their fields, skipping fields that already have an error."""
        for name, errors in error.error_dict.items():
            if name == NON_FIELD_ERRORS or name not in self.fields:
                self.add_error(None, errors)
            elif name not in self.errors:
                self.add_error(name, errors)

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values the service applies to the account."""
        return {name: self.cleaned_data[name] for name in sip_services.EDITABLE_FIELDS if name in self.cleaned_data}
