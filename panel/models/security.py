from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from panel.choices import LockScope


class LoginFailure(models.Model):
    """One wrong password on the log-in form, kept to detect password guessing."""

    username = models.CharField(_("user name"), max_length=150, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("failed log-in")
        verbose_name_plural = _("failed log-ins")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.username} @ {self.ip}"


class LoginLock(models.Model):
    """A user name or an IP address refused at log-in until `locked_until`."""

    scope = models.CharField(_("scope"), max_length=10, choices=LockScope.choices)
    key = models.CharField(_("user name or IP"), max_length=150)
    locked_until = models.DateTimeField(_("locked until"), db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("log-in lock")
        verbose_name_plural = _("log-in locks")
        ordering = ["-locked_until"]
        indexes = [models.Index(fields=["scope", "key", "locked_until"])]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.key}"
