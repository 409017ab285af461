from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views import generic

from billing import registry, selectors, services
from billing.choices import BillingPeriod
from billing.forms import ServiceActivationForm
from billing.models import Service
from panel.confirmation import CostConfirmationMixin, CostStatement
from panel.generic import CustomerRequiredMixin


class ServicesView(CustomerRequiredMixin, generic.TemplateView):
    """ "Usługi / Oferta": the package and every service with its state and price, net and gross."""

    template_name = "billing/services.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["plan"] = selectors.package_plan(customer=self.customer)
        context["offers"] = selectors.service_offers(customer=self.customer)
        context["balance"] = selectors.balance(customer=self.customer)
        context["sections"] = [
            render_to_string(section.template_name, section.context(customer=self.customer), request=self.request)
            for section in registry.services_sections
        ]
        return context


class OfferedServiceMixin(CustomerRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        self.service = get_object_or_404(Service, code=kwargs["code"], is_offered=True)
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self):
        return reverse("billing:services")


class ServiceActivateView(OfferedServiceMixin, CostConfirmationMixin, generic.FormView):
    template_name = "billing/service_activate.html"
    form_class = ServiceActivationForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "service": self.service}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["service"] = self.service
        context["offer"] = selectors.service_offer(customer=self.customer, service=self.service)
        return context

    def get_cost_statement(self, form):
        quantity = form.cleaned_data["quantity"]
        charge = services.activation_charge(service=self.service, quantity=quantity, now=timezone.now())
        if self.service.period == BillingPeriod.THREE_DAYS:
            notes = [_("The service runs for 3 days and switches itself off.")]
        else:
            notes = [
                _("Charged now for the rest of this month: %(amount)s zł net. Then the monthly fee each month.")
                % {"amount": formats.number_format(charge.first_period, 2, force_grouping=True)},
                _("Switching off takes effect at the end of the billing period."),
            ]
        return CostStatement(
            title=self.service.name if quantity == 1 else f"{self.service.name} × {quantity}",
            activation=charge.activation,
            monthly=charge.period_fee,
            notes=notes,
            vat_rate=self.customer.vat_rate,
            monthly_label=_("Fee for 3 days") if self.service.period == BillingPeriod.THREE_DAYS else None,
        )

    def form_valid(self, form):
        if self.request.POST.get("confirm") != "yes":
            return super().form_valid(form)
        try:
            services.service_activate(
                customer=self.customer,
                service=self.service,
                quantity=form.cleaned_data["quantity"],
                user=self.request.user,
            )
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
        else:
            messages.success(self.request, _("%(service)s is on.") % {"service": self.service.name})
        return redirect(self.get_success_url())


class ServiceCancelView(OfferedServiceMixin, generic.TemplateView):
    template_name = "billing/service_cancel.html"

    def get_offer(self):
        return selectors.service_offer(customer=self.customer, service=self.service)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        offer = self.get_offer()
        context["service"] = self.service
        context["offer"] = offer
        if offer.subscription is not None:
            context["ends_at"] = offer.subscription.ends_at or services.next_month_start(timezone.now())
        return context

    def post(self, request, *args, **kwargs):
        offer = self.get_offer()
        if not offer.can_cancel:
            messages.error(request, _("This service cannot be switched off here."))
            return redirect(self.get_success_url())
        subscription = services.service_cancel(customer=self.customer, subscription=offer.subscription)
        ends = formats.date_format(timezone.localtime(subscription.ends_at), "DATETIME_FORMAT")
        messages.success(
            request, _("%(service)s will be switched off on %(date)s.") % {"service": self.service.name, "date": ends}
        )
        return redirect(self.get_success_url())


class LedgerView(CustomerRequiredMixin, generic.ListView):
    """Balance and every charge and top-up, newest first."""

    template_name = "billing/ledger.html"
    context_object_name = "entries"
    paginate_by = 50

    def get_queryset(self):
        return selectors.ledger_list(customer=self.customer)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["balance"] = selectors.balance(customer=self.customer)
        return context
