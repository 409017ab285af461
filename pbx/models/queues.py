from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from panel.tenancy import TenantManager, TenantModel
from pbx import choices, constants

queue_number_validator = RegexValidator(r"^[0-9]{2,6}\Z", _("A queue number is 2 to 6 digits."))

AGENT_RING_TIME_DEFAULT = 15
AGENT_RING_TIME_MIN = 5
AGENT_RING_TIME_MAX = 300
MAX_WAIT_DEFAULT = 300
MAX_WAIT_MIN = 10
MAX_WAIT_MAX = 3600


class TimeoutAction(models.TextChoices):
    HANGUP = "hangup", _("Hang up")
    EXTENSION = "extension", _("Forward to an extension")


class QueueGreeting(models.TextChoices):
    SYSTEM = "system", _("System announcement")
    NONE = "none", _("No announcement")


def queue_codes(number: str) -> tuple[str, str]:
    """The log-in and log-out codes an extension dials to join or leave the queue `number`."""
    return number + constants.QUEUE_LOGIN_SUFFIX, number + constants.QUEUE_LOGOUT_SUFFIX


class Queue(TenantModel):
    """A call queue: callers wait in line while the PBX rings the customer's agents in a chosen way.

    Its number is dialled inside the PBX and, with the suffixes *1 and *2, lets
    any extension log in and out as an agent, so all three codes share the
    customer's dial plan with extensions and short codes.
    """

    name = models.CharField(_("queue name"), max_length=100)
    number = models.CharField(
        _("queue number"),
        max_length=6,
        validators=[queue_number_validator],
        help_text=_(
            "2 to 6 digits, dialled inside the PBX. The agents' log-in and log-out codes are this number "
            "followed by *1 and *2."
        ),
    )
    strategy = models.CharField(
        _("ring strategy"),
        max_length=12,
        choices=choices.RingStrategy.choices,
        default=choices.RingStrategy.RING_ALL,
        help_text=_(
            "Ring all: every free agent at once. In order: the agents one by one in the order of the list. "
            "Longest idle: the agent who has waited longest since the last call. Round robin: the next agent "
            "after the one who took the last call."
        ),
    )
    agent_ring_time = models.PositiveSmallIntegerField(
        _("ring time per agent (s)"),
        default=AGENT_RING_TIME_DEFAULT,
        validators=[MinValueValidator(AGENT_RING_TIME_MIN), MaxValueValidator(AGENT_RING_TIME_MAX)],
        help_text=_("How long one agent's phone rings before the queue tries the next one (5 to 300 seconds)."),
    )
    max_wait = models.PositiveSmallIntegerField(
        _("maximum wait in the queue (s)"),
        default=MAX_WAIT_DEFAULT,
        validators=[MinValueValidator(MAX_WAIT_MIN), MaxValueValidator(MAX_WAIT_MAX)],
        help_text=_("How long a caller may wait for an agent (10 to 3600 seconds)."),
    )
    timeout_action = models.CharField(
        _("when the maximum wait is exceeded"),
        max_length=10,
        choices=TimeoutAction.choices,
        default=TimeoutAction.HANGUP,
    )
    timeout_sip = models.ForeignKey(
        "pbx.SipAccount",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("forward to extension"),
        help_text=_("The extension that gets the call when nobody answered in time."),
    )
    announce_position = models.BooleanField(
        _("play the position in the queue"),
        default=False,
        help_text=_("A system announcement tells a waiting caller how many callers are ahead."),
    )
    greeting = models.CharField(
        _("welcome announcement"),
        max_length=10,
        choices=QueueGreeting.choices,
        default=QueueGreeting.SYSTEM,
        help_text=_("Played to a caller entering the queue."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("queue")
        verbose_name_plural = _("queues")
        ordering = ["customer", "name"]
        constraints = [models.UniqueConstraint(fields=["customer", "number"], name="queue_number_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"

    @property
    def login_code(self) -> str:
        return queue_codes(self.number)[0]

    @property
    def logout_code(self) -> str:
        return queue_codes(self.number)[1]

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list] = {}
        if self.customer_id and self.number and queue_number_validator.regex.match(self.number):
            message = self.dial_plan_collision()
            if message:
                errors["number"] = [message]
        if self.timeout_action == TimeoutAction.EXTENSION:
            if self.timeout_sip_id is None:
                errors["timeout_sip"] = [_("Choose the extension that gets the call.")]
            elif self.customer_id and self.timeout_sip.customer_id != self.customer_id:
                errors["timeout_sip"] = [_("Choose one of your extensions.")]
        else:
            self.timeout_sip = None
        if errors:
            raise ValidationError(errors)

    def dial_plan_collision(self) -> str | None:
        """Why the number (or its *1 / *2 codes) cannot be used, or None when all three are free."""
        from pbx.services.dial_plan import dial_plan_collision  # the service reads the dial plan from these models

        owned = set()
        if self.pk:
            stored = Queue.objects.filter(pk=self.pk).values_list("number", flat=True).first()
            if stored:
                owned = {stored, *queue_codes(stored)}
        taken = dial_plan_collision(customer=self.customer, codes=[self.number, *queue_codes(self.number)], owned=owned)
        if taken:
            return _("The code %(code)s is already used by %(used_by)s.") % {
                "code": taken.code,
                "used_by": taken.used_by,
            }
        return None


class QueueAgent(models.Model):
    """One agent of a queue: an extension or an external number, with its place in the ring order.

    Static agents are added in the panel and rung in `position` order. Dynamic
    agents are extensions that logged in themselves by dialling `<number>*1`
    and stay until they dial `<number>*2`; the panel lists them separately.
    """

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="agents", verbose_name=_("queue"))
    sip = models.ForeignKey(
        "pbx.SipAccount",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("extension"),
    )
    external = models.ForeignKey(
        "pbx.ExternalNumber",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("external number"),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    is_dynamic = models.BooleanField(_("logged in by code"), default=False)
    logged_in_at = models.DateTimeField(_("logged in at"), null=True, blank=True)

    objects = TenantManager(path="queue__customer")

    class Meta:
        verbose_name = _("queue agent")
        verbose_name_plural = _("queue agents")
        ordering = ["queue", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sip__isnull=False, external__isnull=True) | Q(sip__isnull=True, external__isnull=False),
                name="queue_agent_exactly_one_target",
                violation_error_message=_("An agent is either an extension or an external number."),
            ),
            models.CheckConstraint(
                condition=Q(is_dynamic=False) | Q(sip__isnull=False),
                name="queue_agent_dynamic_is_extension",
                violation_error_message=_("Only an extension can log in to a queue."),
            ),
            models.UniqueConstraint(
                fields=["queue", "sip"],
                condition=Q(is_dynamic=False, sip__isnull=False),
                name="queue_agent_sip_unique",
                violation_error_message=_("This extension is already an agent of the queue."),
            ),
            models.UniqueConstraint(
                fields=["queue", "sip"],
                condition=Q(is_dynamic=True),
                name="queue_agent_dynamic_unique",
                violation_error_message=_("This extension is already logged in to the queue."),
            ),
            models.UniqueConstraint(
                fields=["queue", "external"],
                condition=Q(is_dynamic=False, external__isnull=False),
                name="queue_agent_external_unique",
                violation_error_message=_("This external number is already an agent of the queue."),
            ),
        ]

    def __str__(self) -> str:
        if self.sip_id:
            return f"{self.sip.sip_username} {self.sip.name}".strip()
        return f"{self.external.number} {self.external.description}".strip()

    @property
    def target(self):
        return self.sip if self.sip_id else self.external

    def clean(self) -> None:
        super().clean()
        if self.sip_id and self.external_id:
            raise ValidationError(_("An agent is either an extension or an external number."))
        target = self.target
        if target is None:
            raise ValidationError(_("Choose an extension or an external number."))
        if self.queue_id and target.customer_id != self.queue.customer_id:
            raise ValidationError(_("Choose one of your extensions or external numbers."))
