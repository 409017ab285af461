"""Numery Telefonu > Zarządzaj numerami: every number of the customer on one page, saved with one button."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from panel.generic import CustomerRequiredMixin
from pbx.forms.numbers import phone_number_formset, row_initial
from pbx.numbering import format_number
from pbx.selectors.numbers import phone_number_list, route_targets
from pbx.services.numbers import phone_numbers_update


class PhoneNumberManageView(CustomerRequiredMixin, View):
    template_name = "pbx/numbers_manage.html"

    def query(self) -> str:
        return self.request.GET.get("q", "").strip()

    def page_url(self) -> str:
        url = reverse("pbx:phone_numbers")
        return f"{url}?{urlencode({'q': self.query()})}" if self.query() else url

    def render_page(self, formset, status: int = 200):
        rows = []
        for form in formset:
            number = form.phone_number
            rows.append({"form": form, "number": number, "display": format_number(number.number) if number else ""})
        context = {"formset": formset, "rows": rows, "query": self.query(), "action": self.page_url()}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        numbers = list(phone_number_list(customer=self.customer, query=self.query()))
        formset = phone_number_formset(
            customer=self.customer,
            numbers=numbers,
            targets=route_targets(customer=self.customer),
            initial=[row_initial(number) for number in numbers],
        )
        return self.render_page(formset)

    def post(self, request, *args, **kwargs):
        # Every number of the customer may be posted (whatever the filter was); anything else is a row error.
        numbers = list(phone_number_list(customer=self.customer))
        formset = phone_number_formset(
            customer=self.customer, numbers=numbers, targets=route_targets(customer=self.customer), data=request.POST
        )
        if not formset.is_valid():
            messages.error(request, _("Nothing was saved: correct the marked numbers and save again."))
            return self.render_page(formset)
        phone_numbers_update(customer=self.customer, rows=formset.settings())
        messages.success(request, _("The settings of your numbers were saved."))
        return redirect(self.page_url())


urlpatterns = [
    path("phone-numbers/", PhoneNumberManageView.as_view(), name="phone_numbers"),
]
