"""Base views with the customer scoping built in.

A concrete view declares its model (a TenantModel or any model whose default
manager has `for_customer`) and little else. Objects are always fetched
through `request.customer`, so "missing" and "not yours" are the same 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.forms import BaseForm, ModelChoiceField, ModelMultipleChoiceField
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import generic


class CustomerRequiredMixin(LoginRequiredMixin):
    """Only a logged-in user of an active customer gets past this; sets `self.customer`."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if request.customer is None:
            if request.user.is_staff:
                messages.info(request, _("Operator accounts manage customers in the administration panel."))
                return redirect("admin:index")
            return self.handle_no_permission()
        self.customer = request.customer
        return super().dispatch(request, *args, **kwargs)


class TenantObjectMixin(CustomerRequiredMixin):
    model = None

    def get_queryset(self):
        if self.model is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a model.")
        return self.model._default_manager.for_customer(self.request.customer)


def restrict_form_fields(form: BaseForm, customer) -> None:
    """Narrow every model choice field of `form` to `customer`'s objects.

    A posted id of another customer's object then fails validation as an
    invalid choice, exactly like an id that does not exist.
    """
    for field in form.fields.values():
        if isinstance(field, ModelChoiceField | ModelMultipleChoiceField):
            manager = field.queryset.model._default_manager
            if not hasattr(manager, "for_customer"):
                raise ImproperlyConfigured(f"{field.queryset.model.__name__} cannot be scoped to a customer.")
            field.queryset = field.queryset & manager.for_customer(customer)


class TenantFormMixin:
    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        restrict_form_fields(form, self.request.customer)
        return form


class TenantListView(TenantObjectMixin, generic.ListView):
    paginate_by = 25


class TenantDetailView(TenantObjectMixin, generic.DetailView):
    pass


class TenantCreateView(TenantObjectMixin, TenantFormMixin, generic.CreateView):
    def form_valid(self, form):
        form.instance.customer = self.request.customer
        return super().form_valid(form)


class TenantUpdateView(TenantObjectMixin, TenantFormMixin, generic.UpdateView):
    pass


class TenantDeleteView(TenantObjectMixin, generic.DeleteView):
    pass


def add_service_errors(form: BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError in a form: on the fields it names, on top of the form otherwise."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
