"""Klucze API: the customer's keys for the PBX ingestion API — list, create (the key is shown once), revoke.

Only a key's SHA-256 is stored (panel.models.ApiToken), so the page can show
a new key exactly once, in the answer to the form that created it, and never
again; nothing else (session, cache, log) ever holds it.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import F, Q
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from panel.generic import TenantDetailView, TenantListView
from panel.models import ApiToken, Customer

MAX_ACTIVE_TOKENS = 20


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Key name"),
        max_length=100,
        help_text=gettext_lazy("Where the key will be used, e.g. “PBX in the Koszalin office”."),
    )

    def __init__(self, *args, customer: Customer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.customer = customer

    def clean(self):
        cleaned = super().clean()
        if active_tokens(customer=self.customer).count() >= MAX_ACTIVE_TOKENS:
            raise forms.ValidationError(
                _("You can have at most %(max)s active keys. Revoke a key you no longer use first.")
                % {"max": MAX_ACTIVE_TOKENS}
            )
        return cleaned


def api_token_list(*, customer: Customer, query: str = ""):
    tokens = ApiToken.objects.for_customer(customer)
    query = query.strip()
    if query:
        tokens = tokens.filter(Q(name__icontains=query) | Q(key_prefix__startswith=query))
    return tokens.order_by(F("revoked_at").desc(nulls_first=True), "-created_at", "-pk")  # active keys first


def active_tokens(*, customer: Customer):
    return ApiToken.objects.for_customer(customer).filter(revoked_at__isnull=True)


@transaction.atomic
def api_token_create(*, customer: Customer, name: str) -> tuple[ApiToken, str]:
    """A new key for the customer's PBX; returns it with the key in clear, which exists only in this answer."""
    return ApiToken.issue(customer=customer, name=name)


@transaction.atomic
def api_token_revoke(*, customer: Customer, token: ApiToken) -> bool:
    """Switch a key off for good (kept on the list, with the time); False when it was revoked already."""
    return bool(
        ApiToken.objects.for_customer(customer)
        .filter(pk=token.pk, revoked_at__isnull=True)
        .update(revoked_at=timezone.now())
    )


@method_decorator(never_cache, name="dispatch")
class ApiTokenListView(TenantListView):
    """The list of keys with the form that creates one; a successful create answers with the key itself."""

    model = ApiToken
    template_name = "panel/api_tokens.html"
    context_object_name = "tokens"

    def get_queryset(self):
        return api_token_list(customer=self.customer, query=self.request.GET.get("q", ""))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ApiTokenForm(customer=self.customer))
        context["active_count"] = active_tokens(customer=self.customer).count()
        context["max_active"] = MAX_ACTIVE_TOKENS
        context["schema_url"] = reverse("api-schema")
        return context

    def post(self, request, *args, **kwargs):
        form = ApiTokenForm(request.POST, customer=self.customer)
        if not form.is_valid():
            self.object_list = self.get_queryset()
            return self.render_to_response(self.get_context_data(form=form))
        token, key = api_token_create(customer=self.customer, name=form.cleaned_data["name"])
        return render(request, "panel/api_token_created.html", {"token": token, "key": key})


class ApiTokenRevokeView(TenantDetailView):
    """The confirmation page of revoking a key (GET shows it, POST revokes)."""

    model = ApiToken
    template_name = "panel/api_token_revoke.html"
    context_object_name = "token"

    def post(self, request, *args, **kwargs):
        token = self.get_object()
        if api_token_revoke(customer=self.customer, token=token):
            messages.success(request, _("The key “%(name)s” is revoked; it no longer works.") % {"name": token.name})
        else:
            messages.info(request, _("The key “%(name)s” was already revoked.") % {"name": token.name})
        return redirect("panel:api_tokens")


urlpatterns = [
    path("account/api-keys/", ApiTokenListView.as_view(), name="api_tokens"),
    path("account/api-keys/<int:pk>/revoke/", ApiTokenRevokeView.as_view(), name="api_token_revoke"),
]
