"""Choices of the recordings push."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PushProtocol(models.TextChoices):
    """How the push reaches the customer's server."""

    FTP = "ftp", _("FTP")
    FTPS = "ftps", _("FTPS (explicit TLS)")
    SFTP = "sftp", _("SFTP (SSH)")


class PushRunStatus(models.TextChoices):
    """Where one day's push stands."""

    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", pgettext_lazy("push run", "failed")


class ConfirmationMethod(models.TextChoices):
    """How a recording came to be confirmed on the target."""

    UPLOADED = "uploaded", _("sent and verified")
    PRESENT = "present", _("already on the server")


DEFAULT_PORTS = {PushProtocol.FTP: 21, PushProtocol.FTPS: 21, PushProtocol.SFTP: 22}
