from decimal import Decimal

from django import forms, template
from django.utils.formats import number_format

from panel.money import gross_amount

register = template.Library()


@register.filter
def bootstrap_widget(field):
    """Render a bound field's widget with the Bootstrap class for its kind, marked invalid on errors."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    existing = widget.attrs.get("class", "")
    return field.as_widget(attrs={"class": f"{existing} {css}".strip()})


@register.filter
def is_checkbox(field) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def money(value, places=2):
    """A money amount in the active locale's format, e.g. 1 234,50."""
    if value is None or value == "":
        return ""
    return number_format(Decimal(value), decimal_pos=int(places), use_l10n=True, force_grouping=True)


@register.filter
def gross(value, vat_rate=None):
    """Gross of a net amount (VAT 23% unless a rate is given)."""
    if value is None or value == "":
        return ""
    return gross_amount(Decimal(value), Decimal(vat_rate) if vat_rate not in (None, "") else Decimal("23"))
