"""The form that authorizes an employee's number to order calls."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from callback.models import AuthorizedNumber
from callback.services import number_taken_error
from pbx.forms.external import NUMBER_ERRORS
from pbx.models import PhoneNumber
from pbx.numbering import InvalidNumber, normalise_external_number


class AuthorizedNumberForm(forms.ModelForm):
    number = forms.CharField(
        label=_("Phone number"),
        max_length=30,
        help_text=_(
            "The employee's mobile number that may order calls: 9 digits of a Polish number (e.g. 888 777 666), "
            "or a number abroad with 00 or + in front."
        ),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off", "placeholder": "888 777 666"}),
    )
    send_instructions = forms.BooleanField(
        label=_("Send an SMS with instructions to this number"), required=False, initial=True
    )

    class Meta:
        model = AuthorizedNumber
        fields = ["description", "number", "presentation", "pin"]
        labels = {
            "description": _("Number description"),
            "presentation": _("Number presentation"),
            "pin": _("PIN code"),
        }
        help_texts = {
            "description": _("Lets you recognise the number on the list, e.g. the employee's name."),
            "presentation": _(
                "The number shown to the person called, e.g. your helpline; it also hides the employee's "
                "private number."
            ),
            "pin": _(
                "Optional but recommended: 4 to 10 digits the employee puts before the number in every SMS "
                "(and enters when calling in)."
            ),
        }
        widgets = {"pin": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})}

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["presentation"].queryset = PhoneNumber.objects.for_customer(customer)
        self.fields["presentation"].empty_label = None
        if self.instance.pk:
            del self.fields["number"]
            del self.fields["send_instructions"]

    def clean_number(self) -> str:
        try:
            number = normalise_external_number(self.cleaned_data["number"])
        except InvalidNumber as error:
            raise forms.ValidationError(NUMBER_ERRORS[error.code]) from error
        if AuthorizedNumber.objects.filter(number=number).exists():  # any customer's: the same neutral refusal
            raise number_taken_error().error_dict["number"][0]
        return number
