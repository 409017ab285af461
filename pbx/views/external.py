"""Moje Numery Zewnętrzne: the customer's list of numbers outside the PBX that calls can be forwarded to."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect
from django.urls import path, reverse_lazy
from django.utils.translation import gettext as _

from billing.selectors import rate_for_number
from panel.confirmation import CostConfirmationMixin, CostLine, CostStatement
from panel.generic import TenantCreateView, TenantDeleteView, TenantListView, TenantUpdateView
from pbx.forms.external import ExternalNumberForm
from pbx.models import ExternalNumber
from pbx.numbering import format_number
from pbx.selectors.external import external_number_list, external_number_usages
from pbx.services import external as services

LIST_URL = reverse_lazy("pbx:external_numbers")


def with_display_number(external_number: ExternalNumber) -> ExternalNumber:
    """Attach the number formatted for people, for the templates."""
    external_number.display_number = format_number(external_number.number)
    return external_number


class DisplayNumberMixin:
    def get_object(self, queryset=None):
        return with_display_number(super().get_object(queryset))


class ExternalNumberListView(TenantListView):
    model = ExternalNumber
    template_name = "pbx/external_list.html"
    context_object_name = "external_numbers"

    def get_queryset(self):
        return external_number_list(customer=self.customer, query=self.request.GET.get("q", ""))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for external_number in context["external_numbers"]:
            with_display_number(external_number)
        return context


class ExternalNumberFormMixin(CostConfirmationMixin):
    """Create and edit: check the destination is priced, confirm its per-minute cost, then save."""

    model = ExternalNumber
    form_class = ExternalNumberForm
    template_name = "pbx/external_form.html"
    success_url = LIST_URL

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "customer": self.customer}

    def get_success_url(self) -> str:
        # ModelFormMixin's version formats the URL with self.object, which "No" on a new number does not have.
        return str(LIST_URL)

    def form_valid(self, form):
        self.rate = rate_for_number(customer=self.customer, number=form.cleaned_data["number"])
        if self.rate is None:
            form.add_error(
                "number",
                _("Calls to %(number)s are not in your tariff, so the number cannot be added. Please contact us.")
                % {"number": format_number(form.cleaned_data["number"])},
            )
            return self.form_invalid(form)
        return super().form_valid(form)

    def get_cost_statement(self, form) -> CostStatement:
        number = format_number(form.cleaned_data["number"])
        rates = [CostLine(self.rate.destination, self.rate.price_per_minute, per_minute=True)]
        if self.rate.connection_fee:
            rates.append(CostLine(_("Connection fee"), self.rate.connection_fee))
        return CostStatement(
            title=_("Cost of calls forwarded to %(number)s") % {"number": number},
            rates=rates,
            vat_rate=self.customer.vat_rate,
            notes=[
                _("Phone number: %(number)s, destination: %(destination)s.")
                % {"number": number, "destination": self.rate.destination},
                _(
                    "Calls forwarded to external numbers are charged according to your tariff. To keep costs down, "
                    "switch off services that could answer such calls (e.g. voicemail)."
                ),
            ],
        )

    def save(self, form) -> ExternalNumber:
        raise NotImplementedError

    def confirmed(self, form):
        """Reached only after "Yes" on the cost confirmation."""
        try:
            self.object = self.save(form)
        except ValidationError as error:  # a duplicate saved meanwhile in another window
            form.add_error(None, error)
            return self.form_invalid(form)
        except IntegrityError:
            form.add_error(None, _("This number or short code was added meanwhile; check the list."))
            return self.form_invalid(form)
        messages.success(
            self.request, _("External number %(number)s saved.") % {"number": format_number(self.object.number)}
        )
        return redirect(self.get_success_url())


class ConfirmedSaveMixin:
    """Sits below the cost confirmation in the MRO: the save that runs once the customer said yes."""

    def form_valid(self, form):
        return self.confirmed(form)


class ExternalNumberCreateView(ExternalNumberFormMixin, ConfirmedSaveMixin, TenantCreateView):
    def save(self, form) -> ExternalNumber:
        return services.external_number_create(customer=self.customer, **form.cleaned_data)


class ExternalNumberUpdateView(DisplayNumberMixin, ExternalNumberFormMixin, ConfirmedSaveMixin, TenantUpdateView):
    context_object_name = "external_number"

    def save(self, form) -> ExternalNumber:
        return services.external_number_update(customer=self.customer, external_number=self.object, **form.cleaned_data)


class ExternalNumberDeleteView(DisplayNumberMixin, TenantDeleteView):
    model = ExternalNumber
    template_name = "pbx/external_confirm_delete.html"
    context_object_name = "external_number"
    success_url = LIST_URL

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["usages"] = external_number_usages(customer=self.customer, external_number=self.object)
        return context

    def form_valid(self, form):
        number = format_number(self.object.number)
        try:
            services.external_number_delete(customer=self.customer, external_number=self.object)
        except services.ExternalNumberInUse:
            messages.error(
                self.request,
                _("%(number)s is still a forwarding target, so it was not deleted.") % {"number": number},
            )
            return self.render_to_response(self.get_context_data())
        messages.success(self.request, _("External number %(number)s deleted.") % {"number": number})
        return redirect(self.success_url)


urlpatterns = [
    path("external-numbers/", ExternalNumberListView.as_view(), name="external_numbers"),
    path("external-numbers/new/", ExternalNumberCreateView.as_view(), name="external_number_create"),
    path("external-numbers/<int:pk>/edit/", ExternalNumberUpdateView.as_view(), name="external_number_edit"),
    path("external-numbers/<int:pk>/delete/", ExternalNumberDeleteView.as_view(), name="external_number_delete"),
]
