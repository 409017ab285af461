"""Forms of the teleconference pages: a room ("Zarządzaj salą konferencyjną") and "add participant"."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from conferences.choices import GreetingKind
from conferences.models import ConferenceRoom
from pbx.forms.external import NUMBER_ERRORS
from pbx.models import PhoneNumber, SipAccount
from pbx.numbering import InvalidNumber, format_number, normalise_external_number


class PhoneNumberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: PhoneNumber) -> str:
        label = format_number(obj.number)
        if obj.description:
            label = f"{label} - {obj.description}"
        if obj.route_kind not in ("none", "conference"):
            label = _("%(number)s (now: %(route)s)") % {"number": label, "route": obj.get_route_kind_display()}
        return label


class RoomForm(forms.ModelForm):
    phone_number = PhoneNumberChoice(
        queryset=PhoneNumber.objects.none(),
        required=False,
        label=_("Public number"),
        empty_label=_("-- none (internal number only) --"),
        help_text=_(
            "The number participants dial. Its calls go to this room from now on (instead of where they went "
            "before). Participants can also dial the internal number from your extensions."
        ),
    )
    greeting_upload = forms.FileField(
        label=_("Announcement file"),
        required=False,
        help_text=_("Your own welcome announcement: WAV or MP3, at most 10 MB and 5 minutes."),
        widget=forms.ClearableFileInput(attrs={"accept": ".mp3,.wav,audio/mpeg,audio/wav"}),
    )

    class Meta:
        model = ConferenceRoom
        fields = [
            "name",
            "pin",
            "number",
            "greeting_kind",
            "play_join_leave_tone",
            "announce_join_leave",
            "announce_count",
            "max_participants",
        ]
        labels = {
            "name": _("Room name"),
            "pin": _("PIN code"),
            "number": _("Internal number"),
            "greeting_kind": _("Welcome announcement"),
            "play_join_leave_tone": _("Play information when a participant joins or leaves the room"),
            "announce_join_leave": _("Announce a participant joining or leaving the room"),
            "announce_count": _("Tell the number of participants in the room on entry"),
            "max_participants": _("Maximum participants"),
        }
        help_texts = {
            "name": _("Lets you recognise the room, e.g. Telekonferencje z Klientami."),
            "pin": _("4 to 8 digits every participant enters (and confirms with #) before joining the room."),
            "number": _("* followed by 2 to 4 digits, e.g. *7556: your extensions dial it to join the room."),
            "greeting_kind": _("What callers hear when they dial in, before the PIN."),
            "play_join_leave_tone": _("Everyone in the room hears a tone when someone comes in or leaves."),
            "announce_join_leave": _("Everyone in the room hears that a participant has joined or left."),
            "announce_count": _("A joining participant hears how many people are already in the room."),
            "max_participants": _("Callers above this number hear that the room is full and are disconnected."),
        }
        widgets = {
            "pin": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 8}),
            "number": forms.TextInput(attrs={"autocomplete": "off", "placeholder": "*7556", "maxlength": 5}),
            "greeting_kind": forms.RadioSelect,
        }

    def __init__(self, *args, customer, limit: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.fields["phone_number"].queryset = PhoneNumber.objects.for_customer(customer).order_by("number")
        if self.instance.pk:
            self.fields["phone_number"].initial = self.instance.phone_numbers.first()
        self.fields["max_participants"].max_value = limit
        self.fields["max_participants"].widget.attrs.update({"min": 2, "max": limit})
        self.fields["max_participants"].help_text = _(
            "Callers above this number hear that the room is full and are disconnected. At most %(limit)s on "
            "your account."
        ) % {"limit": limit}
        if not self.instance.pk:
            self.initial.setdefault("max_participants", limit)

    def clean_number(self) -> str:
        return self.cleaned_data["number"].replace(" ", "")

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("greeting_kind") == GreetingKind.OWN
            and not cleaned.get("greeting_upload")
            and not self.instance.greeting_file
        ):
            self.add_error("greeting_upload", _("Attach the announcement file or choose the system one."))
        return cleaned

    def _post_clean(self):
        # The service checks the dial plan and the customer's limit, and saves; the form only checks each field.
        self.instance.customer = self.customer
        super()._post_clean()


class ParticipantForm(forms.Form):
    """ "Dodaj uczestnika": call a number into the room now, or at a set time."""

    number = forms.CharField(
        label=_("Phone number"),
        max_length=30,
        help_text=_("One of your extensions, a Polish number (e.g. 601 222 333) or a number abroad with 00 or +."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    at = forms.DateTimeField(
        label=_("Call at"),
        required=False,
        help_text=_("Leave empty to call now. Otherwise the system calls the number at this time."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"],
    )

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.internal = False

    def clean_number(self) -> str:
        raw = self.cleaned_data["number"].strip()
        if SipAccount.objects.for_customer(self.customer).filter(extension=raw).exists():
            self.internal = True
            return raw
        try:
            return normalise_external_number(raw)
        except InvalidNumber as error:
            raise forms.ValidationError(NUMBER_ERRORS[error.code], code=error.code) from error

    def clean_at(self):
        at = self.cleaned_data.get("at")
        if at is not None and at <= timezone.now():
            raise forms.ValidationError(_("This time has already passed. Choose a later time or leave it empty."))
        return at
