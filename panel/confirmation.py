"""The cost confirmation step that every action costing money goes through.

A form view with `CostConfirmationMixin` validates the posted form, then shows
"Wyrażam zgodę na obciążenie mnie kosztami" with the activation and monthly
fees (net and gross) and the buttons Nie / Tak, carrying the posted values in
hidden fields. Only a post with `confirm=yes` saves; `confirm=no` changes
nothing. It works without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from panel.money import DEFAULT_VAT_RATE, gross_amount

CONFIRM_FIELD = "confirm"


@dataclass(frozen=True)
class CostLine:
    label: str
    net: Decimal
    per_minute: bool = False  # a rate: shown with 0.1 grosz precision

    @property
    def quantum(self) -> Decimal:
        return Decimal("0.001") if self.per_minute else Decimal("0.01")


@dataclass(frozen=True)
class CostStatement:
    """What the customer agrees to pay: one-off activation, monthly fee, and any per-minute rates."""

    title: str
    activation: Decimal = Decimal("0.00")
    monthly: Decimal = Decimal("0.00")
    rates: list[CostLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    vat_rate: Decimal = DEFAULT_VAT_RATE
    monthly_label: str | None = None

    def rows(self) -> list[dict]:
        lines = [
            CostLine(_("Activation (one-off)"), self.activation),
            CostLine(self.monthly_label or _("Monthly fee"), self.monthly),
            *self.rates,
        ]
        return [
            {
                "label": line.label,
                "net": line.net.quantize(line.quantum),
                "gross": gross_amount(line.net, self.vat_rate, line.quantum),
                "per_minute": line.per_minute,
            }
            for line in lines
        ]


class CostConfirmationMixin:
    """For FormView/CreateView/UpdateView: confirm the costs before `form_valid` saves anything."""

    confirmation_template_name = "panel/cost_confirmation.html"

    def get_cost_statement(self, form) -> CostStatement:
        raise NotImplementedError

    def get_cancel_url(self) -> str:
        # On a create view there is no object yet to build a success URL from.
        if getattr(self, "object", None) is None and getattr(self, "success_url", None):
            return str(self.success_url)
        return self.get_success_url()

    def form_valid(self, form):
        answer = self.request.POST.get(CONFIRM_FIELD)
        if answer == "yes":
            return super().form_valid(form)
        if answer == "no":
            messages.info(self.request, _("Cancelled: nothing was saved or charged."))
            return redirect(self.get_cancel_url())
        context = self.get_context_data(form=form)
        context["statement"] = self.get_cost_statement(form)
        return render(self.request, self.confirmation_template_name, context)
