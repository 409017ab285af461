from django.db import models
from django.utils.translation import gettext_lazy as _


class GreetingKind(models.TextChoices):
    SYSTEM = "system", _("System announcement")
    OWN = "own", _("Own recording")


class JoinedVia(models.TextChoices):
    DIAL_IN = "dial_in", _("dialled in")
    DIAL_OUT = "dial_out", _("called by the panel")


class EventKind(models.TextChoices):
    JOIN = "join", _("joined")
    LEAVE = "leave", _("left")
    END = "end", _("conference ended")
    REFUSED = "refused", _("refused")


class RefusalReason(models.TextChoices):
    FULL = "full", _("the room is full")
    PIN = "pin", _("wrong PIN three times")
    NO_ANSWER = "no_answer", _("did not answer")


class DialOutStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("planned")
    PLACED = "placed", _("called")
    NO_ANSWER = "no_answer", _("did not answer")
    REFUSED = "refused", _("refused")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")
