"""The external-number form: what the customer types, checked against its own PBX."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from panel.models import Customer
from pbx.models import ExternalNumber
from pbx.models.external import short_code_validator
from pbx.numbering import InvalidNumber, format_number, is_polish_mobile, normalise_external_number
from pbx.selectors.external import external_number_taken, is_own_phone_number
from pbx.services.dial_plan import dial_plan_collision

NUMBER_ERRORS = {
    InvalidNumber.EMPTY: _("Enter a phone number."),
    InvalidNumber.CHARACTERS: _(
        "A phone number may contain only digits, spaces and dashes, and 00 or + in front of a number abroad."
    ),
    InvalidNumber.POLISH_LENGTH: _(
        "A Polish number has 9 digits (e.g. 111 222 333); put 00 or + in front of a number abroad."
    ),
    InvalidNumber.POLISH_LEADING_ZERO: _(
        "A Polish number does not start with 0: enter its 9 digits, e.g. 111 222 333."
    ),
    InvalidNumber.INTERNATIONAL_LENGTH: _("A number abroad has 7 to 15 digits after 00 or +, e.g. +49 30 1234567."),
    InvalidNumber.COUNTRY_CODE: _("After 00 or + comes the country code, which never starts with 0 (e.g. +49)."),
}
SHORT_CODE = re.compile(r"\*[0-9]{1,6}#")
WHITESPACE = re.compile(r"\s+")


class ExternalNumberForm(forms.ModelForm):
    number = forms.CharField(
        label=_("Phone number"),
        max_length=30,
        help_text=_(
            "Enter the 9 digits of a Polish number (e.g. 111 222 333); for a number abroad put 00 or + in front."
        ),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off", "placeholder": "111 222 333"}),
    )

    class Meta:
        model = ExternalNumber
        fields = ["number", "description", "dtmf", "short_code", "presentation", "may_transfer", "sms_on_forward"]
        labels = {
            "description": _("Description"),
            "dtmf": _("DTMF sequence"),
            "short_code": _("Short code"),
            "presentation": _("Number presentation"),
            "may_transfer": _("This phone number may transfer calls"),
            "sms_on_forward": _("When a call is forwarded to this number, send it an SMS with the caller's number"),
        }
        help_texts = {
            "description": _("Optional; makes the number easy to recognise on your lists."),
            "dtmf": _(
                "Once the call to this number is answered, the PBX can dial these digits for you, e.g. your customer "
                "ID on a helpline that asks for it. Digits, * and #; a comma is a short pause. Optional for a plain "
                "forward, e.g. to a private mobile."
            ),
            "short_code": _(
                "A short code for transferring a call to this number quickly: instead of dialling *number#, dial "
                "e.g. *022#. A star, 1 to 6 digits and a hash; optional."
            ),
            "presentation": _(
                "Which number you see when a call is forwarded to this number. Active: the number the caller "
                "dialled (e.g. your helpline). Passive: the caller's real number."
            ),
            "may_transfer": _("Tick if this number may transfer calls on to another number."),
            "sms_on_forward": _(
                "When a call is forwarded to this number, it also receives an SMS with the caller's number. Sent as "
                "a Premium SMS according to your tariff; available for Polish mobile numbers only."
            ),
        }
        widgets = {
            "description": forms.TextInput(attrs={"placeholder": _("e.g. Jan's mobile")}),
            "dtmf": forms.TextInput(attrs={"autocomplete": "off", "placeholder": "123#,,1"}),
            "short_code": forms.TextInput(attrs={"autocomplete": "off", "placeholder": "*022#"}),
            "presentation": forms.Select,
        }

    def __init__(self, *args, customer: Customer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.customer = customer
        if self.instance.pk and not self.is_bound:
            self.initial["number"] = format_number(self.instance.number)

    def clean_number(self) -> str:
        try:
            number = normalise_external_number(self.cleaned_data["number"])
        except InvalidNumber as error:
            raise forms.ValidationError(NUMBER_ERRORS[error.code], code=error.code) from error
        if external_number_taken(customer=self.customer, number=number, exclude_pk=self.instance.pk):
            raise forms.ValidationError(
                _("%(number)s is already on your list of external numbers."),
                code="duplicate",
                params={"number": format_number(number)},
            )
        if is_own_phone_number(customer=self.customer, number=number):
            raise forms.ValidationError(
                _("%(number)s is one of your own phone numbers; forwarding calls to it would send them in a loop."),
                code="own_number",
                params={"number": format_number(number)},
            )
        return number

    def clean_dtmf(self) -> str:
        return WHITESPACE.sub("", self.cleaned_data["dtmf"])

    def clean_short_code(self) -> str:
        code = WHITESPACE.sub("", self.cleaned_data["short_code"])
        if not code:
            return ""
        if not SHORT_CODE.fullmatch(code):
            raise forms.ValidationError(short_code_validator.message, code="short_code_format")
        own = self.instance.short_code if self.instance.pk else ""
        # Dialling *98# reaches *98 first, so the code without its hash must be free as well.
        taken = dial_plan_collision(
            customer=self.customer,
            codes=[code, code.removesuffix("#")],
            owned={own, own.removesuffix("#")} - {""},
        )
        if taken:
            raise forms.ValidationError(
                _("%(code)s is already used in your PBX: %(used_by)s."),
                code="short_code_taken",
                params={"code": code, "used_by": taken.used_by},
            )
        return code

    def clean(self):
        cleaned = super().clean()
        number = cleaned.get("number")
        if cleaned.get("sms_on_forward") and number and not is_polish_mobile(number):
            self.add_error(
                "sms_on_forward",
                forms.ValidationError(
                    _("The SMS with the caller's number can be sent to Polish mobile numbers only."),
                    code="sms_not_mobile",
                ),
            )
        return cleaned
