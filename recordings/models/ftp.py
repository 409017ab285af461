from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from panel.tenancy import TenantManager
from recordings.choices import FtpEvent


class FtpAccount(models.Model):
    """A customer's log-in to the recordings FTP server: login = its prefix, a generated password.

    The password is kept encrypted (the panel shows it behind "Pokaż hasło")
    and as a salted hash (the FTP server checks log-ins against the hash and
    never decrypts). Create and change it only through recordings.services.
    """

    customer = models.OneToOneField(
        "panel.Customer", on_delete=models.CASCADE, related_name="ftp_account", verbose_name=_("customer")
    )
    password_encrypted = models.TextField(_("encrypted password"), editable=False)
    password_hash = models.CharField(_("password hash"), max_length=128, editable=False)
    is_enabled = models.BooleanField(
        _("FTP access enabled"), default=True, help_text=_("Off: the FTP server refuses this log-in.")
    )
    password_changed_at = models.DateTimeField(_("password changed"), default=timezone.now, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("FTP account")
        verbose_name_plural = _("FTP accounts")
        ordering = ["customer__prefix"]

    def __str__(self) -> str:
        return self.login

    @property
    def login(self) -> str:
        return self.customer.prefix


class FtpLogEntry(models.Model):
    """One line of the FTP audit log: every log-in, download and refusal, with the customer and IP.

    Failed log-ins may name no existing customer, so the customer is optional
    and the login as typed is kept as well.
    """

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    event = models.CharField(_("event"), max_length=20, choices=FtpEvent.choices)
    customer = models.ForeignKey(
        "panel.Customer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    login = models.CharField(_("login"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    detail = models.CharField(_("details"), max_length=255, blank=True)
    bytes_sent = models.PositiveBigIntegerField(_("bytes sent"), null=True, blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("FTP log entry")
        verbose_name_plural = _("FTP log")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["customer", "created_at"], name="ftplog_customer_created"),
            models.Index(fields=["ip", "created_at"], name="ftplog_ip_created"),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} {self.login or '-'} @ {self.ip or '-'}"
