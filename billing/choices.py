from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ServiceCode(models.TextChoices):
    RECORDING = "recording", _("Call recording")
    RETENTION_EXTENSION = "retention_extension", _("Longer recording retention (per 30 days)")
    RECORDING_PUSH = "recording_push", _("Automatic recording push to your server")
    CONFERENCE_3_DAYS = "conference_3_days", _("Teleconferences (3 days)")
    CONFERENCE_MONTH = "conference_month", _("Teleconferences (month)")
    MONITORING = "monitoring", _("Call monitoring")
    PAPER_INVOICE = "paper_invoice", _("Paper invoice")


class BillingPeriod(models.TextChoices):
    MONTH = "month", _("month")
    THREE_DAYS = "three_days", _("3 days")


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("subscription", "active")
    CANCELLING = "cancelling", _("active until the end of the period")
    ENDED = "ended", _("ended")


class LedgerKind(models.TextChoices):
    TOP_UP = "top_up", _("top-up")
    PACKAGE_FEE = "package_fee", _("package fee")
    ACTIVATION_FEE = "activation_fee", _("activation fee")
    SERVICE_FEE = "service_fee", _("service fee")
    CALL = "call", _("call")
    ADJUSTMENT = "adjustment", _("adjustment")


class CallDirection(models.TextChoices):
    INBOUND = "in", _("incoming")
    OUTBOUND = "out", _("outgoing")
    LOCAL = "local", _("internal")


class Disposition(models.TextChoices):
    ANSWERED = "answered", _("answered")
    NO_ANSWER = "no_answer", _("not answered")
    BUSY = "busy", _("busy")
    FAILED = "failed", _("failed")
    REFUSED = "refused", _("refused")
    VOICEMAIL = "voicemail", _("voicemail")


class LegKind(models.TextChoices):
    INBOUND = "inbound", _("incoming leg")
    OUTBOUND = "outbound", _("outgoing leg")
    INTERNAL = "internal", _("internal leg")
    FORWARD = "forward", _("forward to an external number")
    CALLBACK_EMPLOYEE = "callback_employee", _("callback: call to the employee")
    CALLBACK_TARGET = "callback_target", _("callback: call to the target")
    MONITOR = "monitor", _("call monitoring: call to the supervisor's external number")


class RatingStatus(models.TextChoices):
    PENDING = "pending", _("waiting for rating")
    RATED = "rated", _("rated")
    UNRATABLE = "unratable", _("cannot be rated")
