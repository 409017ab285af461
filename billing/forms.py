from django import forms
from django.utils.translation import gettext_lazy as _


class ServiceActivationForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1)

    def __init__(self, *args, service, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quantity"].max_value = service.max_quantity
        self.fields["quantity"].validators[-1:] = []
        self.fields["quantity"].widget.attrs["max"] = service.max_quantity
        if service.max_quantity == 1:
            self.fields["quantity"].widget = forms.HiddenInput()

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        maximum = self.fields["quantity"].max_value
        if quantity > maximum:
            raise forms.ValidationError(_("Choose at most %(max)s.") % {"max": maximum})
        return quantity
