from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountType(models.TextChoices):
    VOICE = "voice", _("Voice calls")
    FAX = "fax", _("Fax reception")


class InternalPresentation(models.TextChoices):
    REAL = "real", _("Show the real extension number")
    SUBSTITUTE = "substitute", _("Show a substitute number")


class GreetingKind(models.TextChoices):
    SYSTEM = "system", _("System greeting")
    OWN = "own", _("Own recording")


class ForwardKind(models.TextChoices):
    NONE = "none", _("Do not forward")
    EXTENSION = "extension", _("Another extension")
    VOICEMAIL = "voicemail", _("Voicemail")
    EXTERNAL = "external", _("External number")


class ForwardCondition(models.TextChoices):
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    UNAVAILABLE = "unavailable", _("Unavailable")


class ReturnAction(models.TextChoices):
    VOICEMAIL = "voicemail", _("Voicemail")
    HANGUP = "hangup", _("Hang up")


class InternationalPermission(models.TextChoices):
    GLOBAL = "global", _("Use the global permissions")
    ALLOW = "allow", _("Allow")
    DENY = "deny", _("Deny")


class MaxRateMode(models.TextChoices):
    GLOBAL = "global", _("Use the global maximum")
    OWN = "own", _("Own value")


class ExternalPresentation(models.TextChoices):
    ACTIVE = "active", _("Active: show the number that was called")
    PASSIVE = "passive", _("Passive: show the real caller")


class RouteKind(models.TextChoices):
    NONE = "none", _("Not connected")
    EXTENSION = "extension", _("Extension")
    EXTERNAL = "external", _("External number")
    QUEUE = "queue", _("Queue")
    SCHEME = "scheme", _("Call-flow scheme")
    CONFERENCE = "conference", _("Teleconference room")


class RingStrategy(models.TextChoices):
    RING_ALL = "ringall", _("Ring all")
    IN_ORDER = "linear", _("In order")
    LONGEST_IDLE = "leastrecent", _("Longest idle")
    ROUND_ROBIN = "rrmemory", _("Round robin")
