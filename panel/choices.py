from django.db import models
from django.utils.translation import gettext_lazy as _


class Package(models.TextChoices):
    """The virtual-PBX packages a customer can be on (prices live in the billing catalogue)."""

    MINI = "mini", "Mini"
    START = "start", "Start"
    BIZNES = "biznes", "Biznes"
    PREMIUM = "premium", "Premium"
    ELITE = "elite", "Elite"


class LockScope(models.TextChoices):
    USERNAME = "username", _("user name")
    IP = "ip", _("IP address")
