"""SIP accounts ("Wirtualna Centrala > Konta SIP (Wewnętrzne)"): list, create, detail, edit, delete."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse, reverse_lazy
from django.utils.translation import gettext as _

from panel.confirmation import CostConfirmationMixin, CostStatement
from panel.generic import TenantCreateView, TenantDeleteView, TenantDetailView, TenantListView, TenantUpdateView
from panel.money import gross_amount
from pbx import choices
from pbx.forms.sip import SipAccountForm
from pbx.kamailio import selectors as kamailio_selectors
from pbx.models import SipAccount
from pbx.selectors import sip as selectors
from pbx.services import sip as services

SORTABLE = ("extension", "name")


class SipAccountListView(TenantListView):
    model = SipAccount
    template_name = "pbx/sip_list.html"
    context_object_name = "accounts"

    def get_queryset(self):
        return selectors.sip_account_list(
            customer=self.customer, query=self.request.GET.get("q", ""), sort=self.current_sort()
        )

    def current_sort(self) -> str:
        sort = self.request.GET.get("sort", selectors.DEFAULT_SORT)
        return sort if sort in selectors.SORTS else selectors.DEFAULT_SORT

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        registered = kamailio_selectors.registrations(customer=self.customer, accounts=context["accounts"])
        for account in context["accounts"]:
            account.forwarding_summary = selectors.forwarding_summary(account)
            account.registrations = registered.get(account.pk, [])
        current = self.current_sort()
        query = self.request.GET.get("q", "").strip()
        context["sort"] = current
        context["sort_links"] = {}
        for column in SORTABLE:
            target = f"-{column}" if current == column else column
            params = {"q": query, "sort": target} if query else {"sort": target}
            context["sort_links"][column] = "?" + urlencode(params)
        context["account_types"] = choices.AccountType.choices
        return context


class SaveThroughService:
    """Saves a valid form through the view's `save()` (a service call); comes after CostConfirmationMixin."""

    def form_valid(self, form):
        # Reached only after "Tak": CostConfirmationMixin comes first in the MRO and calls this.
        try:
            self.object = self.save(form)
        except ValidationError as error:
            form.add_service_errors(error)
            return self.form_invalid(form)
        return redirect(self.get_success_url())


class SipAccountFormMixin(CostConfirmationMixin, SaveThroughService):
    """Shared by create and edit: the form, the cost confirmation and saving through the service."""

    model = SipAccount
    form_class = SipAccountForm
    template_name = "pbx/sip_form.html"
    context_object_name = "account"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["customer"] = self.request.customer
        return kwargs

    def get_cost_statement(self, form) -> CostStatement:
        return CostStatement(
            title=_("SIP account %(extension)s") % {"extension": form.cleaned_data["extension"]},
            notes=[_("An extension has no activation or monthly fee; its calls are charged by your tariff.")],
        )

    def get_success_url(self) -> str:
        return reverse("pbx:sip_account_detail", kwargs={"pk": self.object.pk})


class SipAccountCreateView(SipAccountFormMixin, TenantCreateView):
    def get_initial(self):
        initial = super().get_initial()
        if self.request.GET.get("type") in choices.AccountType.values:
            initial["account_type"] = self.request.GET["type"]
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["last_extension"] = selectors.last_added_extension(customer=self.customer)
        return context

    def get_cancel_url(self) -> str:
        return reverse("pbx:sip_accounts")

    def save(self, form) -> SipAccount:
        account = services.sip_account_create(
            customer=self.customer, fields=form.service_fields(), password=form.cleaned_data["password"]
        )
        messages.success(
            self.request,
            _("Extension %(extension)s was created. Set up the phone with the data below.")
            % {"extension": account.extension},
        )
        return account


class SipAccountUpdateView(SipAccountFormMixin, TenantUpdateView):
    def get_cancel_url(self) -> str:
        return reverse("pbx:sip_account_detail", kwargs={"pk": self.object.pk})

    def save(self, form) -> SipAccount:
        account = services.sip_account_update(
            customer=self.customer,
            account=self.object,  # the service reloads and locks the stored row
            fields=form.service_fields(),
            password=form.cleaned_data.get("password") or None,
        )
        messages.success(
            self.request, _("The settings of extension %(extension)s were saved.") % {"extension": account.extension}
        )
        return account


class SipAccountDetailView(TenantDetailView):
    model = SipAccount
    template_name = "pbx/sip_detail.html"
    context_object_name = "account"

    def get_queryset(self):
        return selectors.sip_account_list(customer=self.customer)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        account = self.object
        context["forwarding_summary"] = selectors.forwarding_summary(account)
        context["forward_rows"] = [
            {"label": condition.label, "kind": kind, "target": target}
            for condition in choices.ForwardCondition
            for kind, target in [account.forward_target(condition.value)]
        ]
        context["phone_config"] = {
            "server": settings.SIP_SERVER_HOST,
            "port": settings.SIP_SERVER_PORT,
            "transports": ", ".join(settings.SIP_TRANSPORTS),
            "username": account.sip_username,
            "realm": settings.SIP_REALM,
        }
        context["registrations"] = kamailio_selectors.account_registrations(customer=self.customer, account=account)
        context["health"] = (
            kamailio_selectors.account_health(customer=self.customer, account=account)
            if account.monitor_health
            else None
        )
        context["choices"] = choices
        if account.max_rate is not None:
            context["max_rate_gross"] = gross_amount(account.max_rate, quantum=Decimal("0.001"))
        return context


class SipAccountDeleteView(TenantDeleteView):
    model = SipAccount
    template_name = "pbx/sip_confirm_delete.html"
    context_object_name = "account"
    success_url = reverse_lazy("pbx:sip_accounts")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("usages", selectors.sip_account_usages(customer=self.customer, account=self.object))
        return context

    def form_valid(self, form):
        try:
            services.sip_account_delete(customer=self.customer, account=self.object)
        except services.SipAccountInUse as error:
            messages.error(self.request, _("The extension is still in use, so it was not deleted."))
            return self.render_to_response(self.get_context_data(form=form, usages=error.usages))
        messages.success(self.request, _("Extension %(extension)s was deleted.") % {"extension": self.object.extension})
        return redirect(self.success_url)


urlpatterns = [
    path("sip-accounts/", SipAccountListView.as_view(), name="sip_accounts"),
    path("sip-accounts/new/", SipAccountCreateView.as_view(), name="sip_account_create"),
    path("sip-accounts/<int:pk>/", SipAccountDetailView.as_view(), name="sip_account_detail"),
    path("sip-accounts/<int:pk>/edit/", SipAccountUpdateView.as_view(), name="sip_account_edit"),
    path("sip-accounts/<int:pk>/delete/", SipAccountDeleteView.as_view(), name="sip_account_delete"),
]
