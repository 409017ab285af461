from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from panel import services


def client_ip(request) -> str | None:
    """The address a request came from, for audit rows and log-in limits (None without a request or address)."""
    return (request.META.get("REMOTE_ADDR") or None) if request is not None else None


class LockoutAuthenticationForm(AuthenticationForm):
    """The log-in form, refusing user names and IPs locked after repeated wrong passwords."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _(
            "Too many failed log-in attempts. Log-in is blocked for 15 minutes, until %(until)s. "
            "If you forgot your password, reset it."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request)
        block = services.login_block_get(username=username, ip=ip)
        if block:
            raise self._locked_error(block)
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if self.cleaned_data.get("password"):
                block = services.login_failure_register(username=username, ip=ip)
                if block:
                    raise self._locked_error(block) from None
            raise
        services.login_success_register(username=username)
        return cleaned

    def _locked_error(self, block) -> forms.ValidationError:
        until = formats.time_format(timezone.localtime(block.until), "H:i")
        return forms.ValidationError(self.error_messages["locked"], code="locked", params={"until": until})
