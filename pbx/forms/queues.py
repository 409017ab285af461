"""Forms of the queues area: the queue settings and the agent list actions (add, move, remove)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from panel.generic import restrict_form_fields
from panel.models import Customer
from pbx.models import ExternalNumber, Queue, QueueAgent, SipAccount
from pbx.models.queues import (
    AGENT_RING_TIME_MAX,
    AGENT_RING_TIME_MIN,
    MAX_WAIT_MAX,
    MAX_WAIT_MIN,
)


class SipChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: SipAccount) -> str:
        return f"{obj.extension} {obj.name} ({obj.sip_username})".replace("  ", " ")


class ExternalChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ExternalNumber) -> str:
        return str(obj)


class QueueForm(forms.ModelForm):
    """The settings of a queue; the customer is set before validation so the dial plan can be checked."""

    class Meta:
        model = Queue
        fields = [
            "name",
            "number",
            "strategy",
            "agent_ring_time",
            "max_wait",
            "timeout_action",
            "timeout_sip",
            "announce_position",
            "greeting",
        ]
        field_classes = {"timeout_sip": SipChoiceField}
        widgets = {"number": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})}

    def __init__(self, *args, customer: Customer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.customer = customer
        # The model's validators give the messages; the attributes let the browser say it early.
        self.fields["agent_ring_time"].widget.attrs.update(min=AGENT_RING_TIME_MIN, max=AGENT_RING_TIME_MAX)
        self.fields["max_wait"].widget.attrs.update(min=MAX_WAIT_MIN, max=MAX_WAIT_MAX)
        self.fields["timeout_sip"].queryset = SipAccount.objects.for_customer(customer)
        self.fields["timeout_sip"].empty_label = _("— choose an extension —")
        restrict_form_fields(self, customer)


class QueueAgentAddForm(forms.Form):
    """Add one of the customer's extensions or external numbers to the ring order of a queue."""

    sip = SipChoiceField(
        queryset=SipAccount.objects.none(),
        required=False,
        label=_("Extension"),
        empty_label=_("— choose an extension —"),
        error_messages={"invalid_choice": _("Choose one of your extensions.")},
    )
    external = ExternalChoiceField(
        queryset=ExternalNumber.objects.none(),
        required=False,
        label=_("External number"),
        empty_label=_("— choose an external number —"),
        error_messages={"invalid_choice": _("Choose one of your external numbers.")},
    )

    def __init__(self, *args, customer: Customer, queue: Queue, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.queue = queue
        self.fields["sip"].queryset = SipAccount.objects.for_customer(customer)
        self.fields["external"].queryset = ExternalNumber.objects.for_customer(customer)
        restrict_form_fields(self, customer)

    @property
    def has_candidates(self) -> bool:
        return self.fields["sip"].queryset.exists() or self.fields["external"].queryset.exists()

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        chosen = [value for value in (cleaned.get("sip"), cleaned.get("external")) if value]
        if len(chosen) != 1:
            raise forms.ValidationError(_("Choose one extension or one external number to add."))
        return cleaned


class QueueAgentMoveForm(forms.Form):
    """One step of the keyboard / no-JavaScript way to change the ring order."""

    UP = "up"
    DOWN = "down"

    agent = forms.ModelChoiceField(queryset=QueueAgent.objects.none())
    direction = forms.ChoiceField(choices=[(UP, _("Move up")), (DOWN, _("Move down"))])

    def __init__(self, *args, customer: Customer, queue: Queue, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = QueueAgent.objects.for_customer(customer).filter(queue=queue, is_dynamic=False)
        self.fields["agent"].error_messages["invalid_choice"] = _("This agent is not in the queue any more.")


class QueueAgentRemoveForm(forms.Form):
    agent = forms.ModelChoiceField(queryset=QueueAgent.objects.none())

    def __init__(self, *args, customer: Customer, queue: Queue, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = QueueAgent.objects.for_customer(customer).filter(queue=queue)
        self.fields["agent"].error_messages["invalid_choice"] = _("This agent is not in the queue any more.")
