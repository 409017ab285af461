"""The states and refusal reasons of a call ordered by SMS or by dialling in."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    DIAL_IN = "dial_in", _("dial-in")


class OrderStatus(models.TextChoices):
    ORDERED = "ordered", _("ordered")
    EMPLOYEE_ANSWERED = "employee_answered", _("employee answered")
    TARGET_ANSWERED = "target_answered", _("target answered")
    FAILED = "failed", _("failed")
    REFUSED = "refused", _("refused")


class OrderReason(models.TextChoices):
    NONE = "", _("—")
    WRONG_PIN = "wrong_pin", _("wrong PIN")
    MALFORMED = "malformed", _("the message could not be understood")
    INTERNATIONAL_FORBIDDEN = "international", _("calls abroad are not allowed")
    RATE_TOO_HIGH = "rate_too_high", _("the per-minute rate of the target is above the limit")
    UNPRICED = "unpriced", _("the target is not in the tariff")
    RATE_LIMITED = "rate_limited", _("too many orders in the last hour")
    LOCKED = "locked", _("locked after repeated wrong PINs")
    EMPLOYEE_NO_ANSWER = "employee_no_answer", _("the employee did not answer")
    TARGET_NO_ANSWER = "target_no_answer", _("the target did not answer")
