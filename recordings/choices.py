from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    """Which way a recorded call went; the value is also the word in the file name."""

    IN = "in", _("incoming")
    OUT = "out", _("outgoing")
    LOCAL = "local", _("internal")


class FtpEvent(models.TextChoices):
    """What an FTP audit log line records."""

    LOGIN = "login", _("log-in")
    LOGIN_FAILED = "login_failed", _("failed log-in")
    DOWNLOAD = "download", _("download")
    REFUSED = "refused", _("refused")
    BANNED = "banned", _("address blocked")
    PASSWORD_SHOWN = "password_shown", _("password shown in the panel")
    PASSWORD_CHANGED = "password_changed", _("new password generated")
