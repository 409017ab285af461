from django.db import models
from django.utils.translation import gettext_lazy as _


class HealthState(models.TextChoices):
    OK = "ok", _("answers")
    NOT_REGISTERED = "unregistered", _("not registered")
    NO_ANSWER = "no_answer", _("does not answer")
