"""Forms of the call-flow schemes area: the scheme's name, "powiąż numer", and a recording upload."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pbx import choices, constants
from pbx.models import PhoneNumber, Scheme
from pbx.numbering import format_number


class SchemeForm(forms.ModelForm):
    """The scheme's name; its uniqueness within the customer is checked by the service."""

    class Meta:
        model = Scheme
        fields = ["name"]
        labels = {"name": _("Scheme name")}
        help_texts = {
            "name": _("A name you recognise the scheme by, e.g. “Infolinia” or “Biuro po godzinach”."),
        }


class PhoneNumberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: PhoneNumber) -> str:
        return format_number(obj.number)


class SchemeBindForm(forms.Form):
    """Which of the customer's phone numbers send their calls to the scheme."""

    numbers = PhoneNumberChoiceField(
        label=_("Phone numbers"),
        queryset=PhoneNumber.objects.order_by("number"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={
            "invalid_choice": _("This number is not on your account."),
            "invalid_pk_value": _("This number is not on your account."),
        },
        help_text=_(
            "Calls to the ticked numbers go to this scheme. A number that was forwarded elsewhere is forwarded "
            "here instead; a number you untick is no longer forwarded anywhere."
        ),
    )

    def rows(self, scheme: Scheme) -> list[dict]:
        """One row per number for the template: the checkbox, the number, and where its calls go now."""
        rows = []
        selected = {str(value) for value in (self["numbers"].value() or [])}
        for number in self.fields["numbers"].queryset.select_related(
            "route_sip", "route_external", "route_queue", "route_scheme"
        ):
            rows.append(
                {
                    "number": number,
                    "display": format_number(number.number),
                    "checked": str(number.pk) in selected,
                    "current": current_route(number, scheme),
                }
            )
        return rows


def current_route(number: PhoneNumber, scheme: Scheme) -> str:
    """Where the number's calls go now, in words."""
    kind = number.route_kind
    if kind == choices.RouteKind.SCHEME and number.route_scheme_id == scheme.pk:
        return str(_("this scheme"))
    target = {
        choices.RouteKind.EXTENSION: number.route_sip,
        choices.RouteKind.EXTERNAL: number.route_external,
        choices.RouteKind.QUEUE: number.route_queue,
        choices.RouteKind.SCHEME: number.route_scheme,
        choices.RouteKind.CONFERENCE: number.route_conference,
    }.get(kind)
    if target is None:
        return str(_("not forwarded"))
    return f"{choices.RouteKind(kind).label}: {target}"


class AnnouncementUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Recording"),
        widget=forms.FileInput(attrs={"accept": ".wav,.mp3"}),
        allow_empty_file=True,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("A WAV or MP3 file of at most %(size)s MB and %(minutes)s minutes.") % {
            "size": constants.GREETING_MAX_BYTES // (1024 * 1024),
            "minutes": constants.GREETING_MAX_SECONDS // 60,
        }
