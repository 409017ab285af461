"""The one-page editor of the customer's phone numbers: a formset with one row per number.

"Forward to" is a single select whose options are grouped by kind and encoded
as "<kind>:<id>" (e.g. "extension:7"); its choices are built from the
customer's own objects only, so a forged value naming anything else is a row
error, never a change.
"""

from __future__ import annotations

from django import forms
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from panel.models import Customer
from pbx import choices
from pbx.models import ExternalNumber, PhoneNumber, Queue, Scheme, SipAccount
from pbx.models.numbers import clip_prefix_validator
from pbx.numbering import format_number
from pbx.selectors.numbers import RouteTargets
from pbx.services.numbers import NumberSettings

NO_ROUTE = "none"
Target = SipAccount | ExternalNumber | Queue | Scheme | Model  # Model: a target another app registers


def encode_target(kind: str, pk: int | None) -> str:
    if kind == choices.RouteKind.NONE or pk is None:
        return NO_ROUTE
    return f"{kind}:{pk}"


def current_target(number: PhoneNumber) -> str:
    """The select value of where `number` is forwarded now."""
    pk = {
        choices.RouteKind.EXTENSION: number.route_sip_id,
        choices.RouteKind.EXTERNAL: number.route_external_id,
        choices.RouteKind.QUEUE: number.route_queue_id,
        choices.RouteKind.SCHEME: number.route_scheme_id,
        choices.RouteKind.CONFERENCE: number.route_conference_id,
    }.get(number.route_kind)
    return encode_target(number.route_kind, pk)


class TargetChoices:
    """The grouped options of "Forward to" for one customer, and the way back from a value to its object."""

    def __init__(self, *, customer: Customer, targets: RouteTargets) -> None:
        self.objects: dict[str, tuple[str, Target]] = {}
        groups = [
            (
                _("Extensions"),
                choices.RouteKind.EXTENSION,
                [(account, self.extension_label(customer, account)) for account in targets.extensions],
            ),
            (
                _("External numbers"),
                choices.RouteKind.EXTERNAL,
                [(external, self.external_label(external)) for external in targets.external_numbers],
            ),
            (_("Queues"), choices.RouteKind.QUEUE, [(queue, str(queue)) for queue in targets.queues]),
            (_("Call-flow schemes"), choices.RouteKind.SCHEME, [(scheme, scheme.name) for scheme in targets.schemes]),
            *((target.label, target.kind, items) for target, items in targets.registered),
        ]
        self.choices: list = [(NO_ROUTE, _("Do not forward"))]
        for group_label, kind, items in groups:
            options = []
            for obj, label in items:
                value = encode_target(kind, obj.pk)
                self.objects[value] = (kind, obj)
                options.append((value, label))
            if options:
                self.choices.append((group_label, options))

    @staticmethod
    def extension_label(customer: Customer, account: SipAccount) -> str:
        username = f"{customer.prefix}_{account.extension}"
        return (
            f"{account.extension} – {account.name} ({username})"
            if account.name
            else f"{account.extension} ({username})"
        )

    @staticmethod
    def external_label(external: ExternalNumber) -> str:
        number = format_number(external.number)
        return f"{number} – {external.description}" if external.description else number

    def resolve(self, value: str) -> tuple[str, Target | None] | None:
        """(route kind, target) of a posted value; None when it names nothing of this customer."""
        if value == NO_ROUTE:
            return choices.RouteKind.NONE, None
        return self.objects.get(value)


class PhoneNumberRowForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    clip_prefix = forms.CharField(
        label=_("CLIP prefix"),
        max_length=10,
        required=False,
        validators=[clip_prefix_validator],
        help_text=_(
            "Up to 10 characters shown on your phones before the caller's number when a call comes in on this "
            "number (e.g. INFO), so you know which line is ringing."
        ),
    )
    target = forms.ChoiceField(
        label=_("Forward to"),
        help_text=_(
            "Where calls to this number go: an extension, an external number, a queue, a call-flow scheme or a "
            "teleconference room."
        ),
    )

    def __init__(self, *args, numbers: dict[int, PhoneNumber], targets: TargetChoices, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.numbers = numbers
        self.targets = targets
        self.fields["target"].choices = targets.choices

    @property
    def phone_number(self) -> PhoneNumber | None:
        """The customer's number this row edits (None for a forged or missing id)."""
        raw = self["id"].value()
        try:
            return self.numbers.get(int(raw))
        except (TypeError, ValueError):
            return None

    def clean_id(self) -> int:
        pk = self.cleaned_data["id"]
        if pk not in self.numbers:
            raise forms.ValidationError(_("This number is not on your account."), code="not_yours")
        return pk

    def clean_target(self) -> str:
        value = self.cleaned_data["target"]
        if self.targets.resolve(value) is None:
            raise forms.ValidationError(_("Choose where calls to this number go from the list."), code="target")
        return value

    def settings(self) -> NumberSettings:
        kind, target = self.targets.resolve(self.cleaned_data["target"])
        return NumberSettings(
            phone_number_id=self.cleaned_data["id"],
            description=self.cleaned_data["description"],
            clip_prefix=self.cleaned_data["clip_prefix"],
            route_kind=kind,
            target=target,
        )


class BasePhoneNumberFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[int] = set()
        for form in self.forms:
            pk = form.cleaned_data.get("id")
            if pk in seen:
                raise forms.ValidationError(_("A number appears twice in the form; reload the page."), code="twice")
            if pk is not None:
                seen.add(pk)

    def settings(self) -> list[NumberSettings]:
        return [form.settings() for form in self.forms if form.cleaned_data.get("id") is not None]


PhoneNumberFormSet = forms.formset_factory(PhoneNumberRowForm, formset=BasePhoneNumberFormSet, extra=0)


def row_initial(number: PhoneNumber) -> dict:
    return {
        "id": number.pk,
        "description": number.description,
        "clip_prefix": number.clip_prefix,
        "target": current_target(number),
    }


def phone_number_formset(
    *, customer: Customer, numbers: list[PhoneNumber], targets: RouteTargets, data=None, initial=None
) -> BasePhoneNumberFormSet:
    """The formset over the given numbers of `customer` (bound to `data` on a post)."""
    form_kwargs = {
        "numbers": {number.pk: number for number in numbers},
        "targets": TargetChoices(customer=customer, targets=targets),
    }
    return PhoneNumberFormSet(data=data, initial=initial, form_kwargs=form_kwargs, prefix="numbers")
