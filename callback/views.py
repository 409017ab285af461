"""Rozmowa na SMSa / Wdzwoń się: the authorized numbers and the history of ordered calls."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from billing.selectors import rate_for_number
from callback import services
from callback.forms import AuthorizedNumberForm
from callback.models import AuthorizedNumber, CallbackOrder
from callback.selectors import authorized_number_list, order_list
from panel.confirmation import CostConfirmationMixin, CostLine, CostStatement
from panel.generic import (
    TenantCreateView,
    TenantDeleteView,
    TenantListView,
    TenantUpdateView,
    add_service_errors,
)
from pbx.numbering import format_number

LIST_URL = reverse_lazy("callback:authorized_numbers")


def _displayed(authorized: AuthorizedNumber) -> AuthorizedNumber:
    authorized.display_number = format_number(authorized.number)
    authorized.display_presentation = format_number(authorized.presentation.number)
    return authorized


class AuthorizedNumberListView(TenantListView):
    model = AuthorizedNumber
    template_name = "callback/authorized_list.html"
    context_object_name = "authorized_numbers"

    def get_queryset(self):
        return authorized_number_list(customer=self.customer, query=self.request.GET.get("q", ""))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for authorized in context["authorized_numbers"]:
            _displayed(authorized)
        context["service_number"] = format_number(services.service_number())
        return context


class AuthorizedNumberCreateView(CostConfirmationMixin, TenantCreateView):
    """Add: check the number, show the per-minute rate of the employee leg, save only after "Tak"."""

    model = AuthorizedNumber
    form_class = AuthorizedNumberForm
    template_name = "callback/authorized_form.html"
    success_url = LIST_URL

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "customer": self.customer}

    def get_success_url(self) -> str:
        return str(LIST_URL)

    def form_valid(self, form):
        number = form.cleaned_data["number"]
        self.rate = rate_for_number(customer=self.customer, number=number)
        if self.rate is None:
            form.add_error(
                "number",
                _("Calls to %(number)s are not in your tariff, so the number cannot be authorized. Please contact us.")
                % {"number": format_number(number)},
            )
            return self.form_invalid(form)
        if self.request.POST.get("confirm") == "yes":
            return self.confirmed(form)
        return super().form_valid(form)

    def confirmed(self, form):
        try:
            self.object = services.authorized_number_create(customer=self.customer, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Number %(number)s may now order calls.") % {"number": format_number(self.object.number)}
        )
        return redirect(self.get_success_url())

    def get_cost_statement(self, form) -> CostStatement:
        number = format_number(form.cleaned_data["number"])
        notes = [
            _("Phone number: %(number)s, destination: %(destination)s.")
            % {"number": number, "destination": self.rate.destination},
            _(
                "I confirm that each minute of the call to the above number is charged by my tariff at the rate "
                "shown, plus the per-minute rate of the number named in the order. I agree to these costs being "
                "charged to my balance. I confirm that services that could cause needless costs (e.g. voicemail) "
                "are switched off on this phone."
            ),
        ]
        if not form.cleaned_data.get("pin"):
            notes.append(_("No PIN is set: anyone who can send an SMS from this number can order calls."))
        return CostStatement(
            title=_("Cost of calls ordered from %(number)s") % {"number": number},
            rates=[CostLine(self.rate.destination, self.rate.price_per_minute, per_minute=True)],
            vat_rate=self.customer.vat_rate,
            notes=notes,
        )


class AuthorizedNumberUpdateView(TenantUpdateView):
    model = AuthorizedNumber
    form_class = AuthorizedNumberForm
    template_name = "callback/authorized_form.html"
    context_object_name = "authorized_number"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "customer": self.customer}

    def get_object(self, queryset=None):
        return _displayed(super().get_object(queryset))

    def form_valid(self, form):
        services.authorized_number_update(customer=self.customer, authorized=self.object, **form.cleaned_data)
        messages.success(self.request, _("Changes saved."))
        return redirect(LIST_URL)


class AuthorizedNumberDeleteView(TenantDeleteView):
    model = AuthorizedNumber
    template_name = "callback/authorized_confirm_delete.html"
    context_object_name = "authorized_number"
    success_url = LIST_URL

    def get_object(self, queryset=None):
        return _displayed(super().get_object(queryset))

    def form_valid(self, form):
        services.authorized_number_delete(customer=self.customer, authorized=self.object)
        messages.success(self.request, _("The number may no longer order calls."))
        return redirect(LIST_URL)


class OrderListView(TenantListView):
    model = CallbackOrder
    template_name = "callback/order_list.html"
    context_object_name = "orders"

    def get_queryset(self):
        orders = order_list(customer=self.customer, query=self.request.GET.get("q", ""))
        number = self.request.GET.get("number", "")
        if number.isdigit():
            orders = orders.filter(authorized_number_id=int(number))
        return orders

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for order in context["orders"]:
            order.display_target = format_number(order.target) if order.target else "—"
            order.display_number = format_number(order.authorized_number.number)
        return context
