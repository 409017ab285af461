"""The customer's FTP access block: server, port, login, the password behind "Pokaż hasło", a new password."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.views import generic

from panel.forms import client_ip
from panel.generic import CustomerRequiredMixin
from panel.models import Customer
from recordings import selectors, services


def _private(response):
    """Pages with a password in them are never stored by the browser or a proxy."""
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    return response


def ftp_access_context(*, customer: Customer, password: str | None = None) -> dict:
    """What the FTP access block (recordings/_ftp_access.html) shows; also the block on "Services / Offer"."""
    account = services.ftp_account_ensure(customer=customer)
    return {"ftp": selectors.ftp_access_info(account=account), "ftp_password": password}


class FtpAccessMixin(CustomerRequiredMixin):
    def ftp_context(self, *, password: str | None = None) -> dict:
        return ftp_access_context(customer=self.customer, password=password)


class FtpAccessView(FtpAccessMixin, generic.TemplateView):
    """The page with the FTP access block (the lead also includes the block in "Usługi / Oferta")."""

    template_name = "recordings/ftp_access.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **self.ftp_context()}


class FtpPasswordRevealView(FtpAccessMixin, generic.View):
    """POST: the current password; htmx gets the fragment, a browser without JavaScript the whole page."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        password = services.ftp_password_reveal(
            customer=self.customer, by=request.user.get_username(), ip=client_ip(request)
        )
        context = self.ftp_context(password=password)
        if request.headers.get("HX-Request"):
            return _private(render(request, "recordings/_ftp_password.html", context))
        return _private(render(request, "recordings/ftp_access.html", context))


class FtpPasswordRegenerateView(FtpAccessMixin, generic.TemplateView):
    """GET: the confirmation; POST with `confirm`: a new password, the old one stops working at once."""

    template_name = "recordings/ftp_password_regenerate.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **self.ftp_context()}

    def post(self, request, *args, **kwargs):
        if request.POST.get("confirm") != "yes":
            return self.get(request, *args, **kwargs)
        services.ftp_password_regenerate(customer=self.customer, by=request.user.get_username(), ip=client_ip(request))
        messages.success(
            request,
            _(
                "A new FTP password was generated; the old one no longer works. "
                "Click “Show password” to see it and update your FTP client."
            ),
        )
        return redirect("recordings:ftp_access")
