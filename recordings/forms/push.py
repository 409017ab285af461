"""The push settings form ("Automatyczne przesyłanie nagrań") and the "Wyślij ponownie" day form."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from recordings.models import PushTarget
from recordings.push.choices import DEFAULT_PORTS, PushProtocol
from recordings.push.days import local_day_of
from recordings.push.hosts import HostError, private_targets_allowed, validate_host
from recordings.push.paths import DEFAULT_TEMPLATE, MAX_TEMPLATE_LENGTH, PathTemplateError, validate_path_template
from recordings.push.services import PushSettings
from recordings.push.transports import PrivateKeyError, load_private_key

SAVED_SECRET = _("•••• (saved)")
HOST_ERRORS = {
    "empty": _("Enter the server's name or IP address."),
    "invalid": _("Enter a valid server name (e.g. ftp.example.com) or IP address."),
    "private": _("This address is local or private: the push can reach only servers on the internet."),
}
TEMPLATE_ERRORS = {
    "empty": _("Enter the target folder, e.g. /nagrania/%Y/%m/%d/."),
    "too_long": _("The target folder is too long."),
    "not_absolute": _("The target folder must start with “/”, e.g. /nagrania/%Y/%m/%d/."),
    "characters": _("The target folder must not contain control characters or backslashes."),
    "dots": _("The target folder must not contain “..”."),
    "placeholder": _("Unknown placeholder %(token)s: use only %%Y, %%m, %%d and {prefix}."),
}
KEY_ERRORS = {
    "encrypted": _("This private key is protected by a passphrase: paste a key without a passphrase."),
    "unreadable": _("This is not a private key we can read: paste an Ed25519, ECDSA or RSA key in PEM/OpenSSH form."),
}


class PushTargetForm(forms.Form):
    """The settings of the customer's server; secrets are never shown back, an empty field keeps the saved one."""

    protocol = forms.ChoiceField(
        label=_("Protocol"),
        choices=PushProtocol.choices,
        initial=PushProtocol.SFTP,
        help_text=_(
            "SFTP (over SSH) or FTPS (FTP with TLS) encrypt the recordings on the way; plain FTP sends them and the "
            "password unencrypted."
        ),
    )
    host = forms.CharField(
        label=_("Server"),
        max_length=253,
        error_messages={"required": HOST_ERRORS["empty"]},
        help_text=_("The name or IP address of your server, e.g. ftp.example.com."),
    )
    port = forms.IntegerField(
        label=_("Port"),
        required=False,
        min_value=1,
        max_value=65535,
        help_text=_("Empty: 21 for FTP and FTPS, 22 for SFTP."),
    )
    username = forms.CharField(label=_("Login"), max_length=150)
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted and never shown again. Leave empty to keep the saved password."),
    )
    private_key = forms.CharField(
        label=_("Private key (SFTP only)"),
        required=False,
        max_length=16000,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off"}),
        help_text=_(
            "Instead of a password: an SSH private key without a passphrase (PEM or OpenSSH text). Stored encrypted "
            "and never shown again. Leave empty to keep the saved key."
        ),
    )
    clear_private_key = forms.BooleanField(label=_("Remove the saved private key"), required=False)
    passive_mode = forms.BooleanField(
        label=_("Passive mode (FTP, FTPS)"),
        required=False,
        initial=True,
        help_text=_("Leave on unless your server's administrator says otherwise; it works through most firewalls."),
    )
    verify_tls = forms.BooleanField(
        label=_("Verify the TLS certificate (FTPS)"),
        required=False,
        initial=True,
        help_text=_(
            "On: the connection is refused unless the server's certificate is valid for its name. Switch off only "
            "for a server with a self-signed certificate that you trust."
        ),
    )
    path_template = forms.CharField(
        label=_("Target folder"),
        max_length=MAX_TEMPLATE_LENGTH,
        initial=DEFAULT_TEMPLATE,
        error_messages={"required": TEMPLATE_ERRORS["empty"]},
        help_text=_(
            "A path starting with “/”. Placeholders: %Y (year), %m (month), %d (day of the recording) and {prefix} "
            "(your login prefix), e.g. /nagrania/%Y/%m/%d/. Missing folders are created."
        ),
    )

    def __init__(self, *args, target: PushTarget | None = None, **kwargs) -> None:
        self.target = target if target is not None and target.pk else None
        if self.target is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "protocol": target.protocol,
                "host": target.host,
                "port": target.port,
                "username": target.username,
                "passive_mode": target.passive_mode,
                "verify_tls": target.verify_tls,
                "path_template": target.path_template,
            }
        super().__init__(*args, **kwargs)
        if self.target is not None and self.target.has_password:
            self.fields["password"].widget.attrs["placeholder"] = SAVED_SECRET
        if self.target is not None and self.target.has_private_key:
            self.fields["private_key"].widget.attrs["placeholder"] = SAVED_SECRET
        else:
            del self.fields["clear_private_key"]

    def clean_host(self) -> str:
        try:
            return validate_host(self.cleaned_data["host"], allow_private=private_targets_allowed())
        except HostError as error:
            raise forms.ValidationError(HOST_ERRORS[error.code], code=f"host_{error.code}") from None

    def clean_path_template(self) -> str:
        try:
            return validate_path_template(self.cleaned_data["path_template"])
        except PathTemplateError as error:
            params = {"token": error.detail} if error.code == "placeholder" else None
            raise forms.ValidationError(TEMPLATE_ERRORS[error.code], code=f"path_{error.code}", params=params) from None

    def clean_private_key(self) -> str:
        key = (self.cleaned_data.get("private_key") or "").strip()
        if not key:
            return ""
        try:
            load_private_key(key)
        except PrivateKeyError as error:
            raise forms.ValidationError(KEY_ERRORS[error.code], code=f"key_{error.code}") from None
        return key + "\n"

    def clean(self):
        data = super().clean()
        protocol = data.get("protocol")
        if not protocol:
            return data
        if data.get("port") is None:
            data["port"] = DEFAULT_PORTS[protocol]
        has_password = bool(data.get("password")) or (self.target is not None and self.target.has_password)
        has_key = bool(data.get("private_key")) or (
            self.target is not None and self.target.has_private_key and not data.get("clear_private_key")
        )
        if protocol == PushProtocol.SFTP:
            if not (has_password or has_key):
                self.add_error("password", _("Enter the password or paste a private key."))
        else:
            if data.get("private_key"):
                self.add_error("private_key", _("A private key works only with SFTP; FTP and FTPS need a password."))
            elif not has_password:
                self.add_error("password", _("Enter the password."))
        return data

    def push_settings(self) -> PushSettings:
        data = self.cleaned_data
        return PushSettings(
            protocol=data["protocol"],
            host=data["host"],
            port=data["port"],
            username=data["username"],
            password=data.get("password") or None,
            private_key=data.get("private_key") or None,
            clear_private_key=bool(data.get("clear_private_key")),
            passive_mode=data["passive_mode"],
            verify_tls=data["verify_tls"],
            path_template=data["path_template"],
        )


class PushResendForm(forms.Form):
    """The day whose recordings are sent again (within the retention, never today or the future)."""

    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean_day(self):
        day = self.cleaned_data["day"]
        today = local_day_of(timezone.now())
        if day >= today:
            raise forms.ValidationError(_("Choose a day that has ended: today's recordings are sent tonight."))
        if day < today - timedelta(days=750):
            raise forms.ValidationError(_("No recordings are kept from that long ago."))
        return day
