"""Calls going on right now (from the PBX's call events) and supervisors' monitoring of them."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from billing.choices import CallDirection
from panel.tenancy import TenantModel

# A call with no event for this long is taken for lost (its "ended" event never came): not shown, not monitorable.
LIVE_CALL_STALE_AFTER = timedelta(hours=4)


class CallEventKind(models.TextChoices):
    STARTED = "started", _("started")
    ANSWERED = "answered", _("answered")
    ENDED = "ended", _("ended")


class LiveCallState(models.TextChoices):
    RINGING = "ringing", _("ringing")
    ANSWERED = "answered", _("in progress")
    ENDED = "ended", _("ended")


# Events may arrive out of order: a call's state only ever moves forward along this order.
STATE_RANK = {LiveCallState.RINGING: 0, LiveCallState.ANSWERED: 1, LiveCallState.ENDED: 2}


class MonitorMode(models.TextChoices):
    LISTEN = "listen", _("listen")
    WHISPER = "whisper", _("whisper")


class MonitorTargetKind(models.TextChoices):
    EXTENSION = "extension", _("one of your extensions")
    EXTERNAL = "external", _("an external number")


class MonitorStatus(models.TextChoices):
    ACTIVE = "active", _("in progress")
    NOT_ANSWERED = "not_answered", _("the supervisor did not answer")
    FAILED = "failed", _("failed")
    ENDED = "ended", _("ended with the call")


class LiveCall(TenantModel):
    """The current state of one call of the customer, kept up to date by its call events (started, answered, ended).

    The monitoring page lists the calls that have not ended and had an event in the last
    `LIVE_CALL_STALE_AFTER`; ended calls stay for a while as the subject of the monitoring history.
    """

    call_id = models.CharField(_("call id"), max_length=64)
    direction = models.CharField(_("direction"), max_length=5, choices=CallDirection.choices, blank=True)
    caller = models.CharField(_("caller"), max_length=32, blank=True)
    callee = models.CharField(_("called number"), max_length=32, blank=True)
    extension = models.CharField(
        _("agent's extension"), max_length=6, blank=True, help_text=_("The customer's extension on the call, if any.")
    )
    queue_number = models.CharField(_("queue"), max_length=6, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=LiveCallState.choices, default=LiveCallState.RINGING)
    started_at = models.DateTimeField(_("started"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    last_event_at = models.DateTimeField(_("last event"))

    class Meta:
        verbose_name = _("live call")
        verbose_name_plural = _("live calls")
        ordering = ["started_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["customer", "call_id"], name="live_call_id_unique")]
        indexes = [models.Index(fields=["customer", "state", "last_event_at"], name="live_call_current")]

    def __str__(self) -> str:
        return f"{self.call_id}: {self.caller} → {self.callee}"

    def is_live(self, now: datetime) -> bool:
        return self.state != LiveCallState.ENDED and self.last_event_at > now - LIVE_CALL_STALE_AFTER

    @property
    def has_agent(self) -> bool:
        """Whisper needs a leg to one of the customer's extensions: the agent is the one who hears it."""
        return bool(self.extension)

    @property
    def customer_number(self) -> str:
        """The customer's side of the call to the outside: the number dialled in, or the caller going out."""
        return self.caller if self.direction == CallDirection.OUTBOUND else self.callee


class CallEvent(TenantModel):
    """One call event as the PBX sent it; its id (unique per customer) makes sending it again harmless."""

    event_id = models.CharField(_("event id"), max_length=64)
    call_id = models.CharField(_("call id"), max_length=64)
    kind = models.CharField(_("event"), max_length=10, choices=CallEventKind.choices)
    at = models.DateTimeField(_("time"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("call event")
        verbose_name_plural = _("call events")
        ordering = ["-at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["customer", "event_id"], name="call_event_id_unique")]

    def __str__(self) -> str:
        return f"{self.call_id} {self.kind}"


class MonitorSession(TenantModel):
    """A supervisor listening to (or whispering into) a live call, from an extension or an external number.

    The PBX command is sent once per session; the session ends with the monitored call. The monitoring leg
    is reported in that call's record: billable (kind "monitor") to an external number, free to an extension.
    """

    live_call = models.ForeignKey(
        LiveCall,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="monitor_sessions",
        verbose_name=_("call"),
    )
    call_id = models.CharField(_("call id"), max_length=64)
    call_caller = models.CharField(_("caller"), max_length=32, blank=True)
    call_callee = models.CharField(_("called number"), max_length=32, blank=True)
    agent_extension = models.CharField(_("agent's extension"), max_length=6, blank=True)
    mode = models.CharField(_("mode"), max_length=10, choices=MonitorMode.choices)
    target_kind = models.CharField(_("listening on"), max_length=10, choices=MonitorTargetKind.choices)
    target = models.CharField(
        _("supervisor's phone"), max_length=32, help_text=_("An extension, or an external number in E.164 form.")
    )
    status = models.CharField(_("status"), max_length=15, choices=MonitorStatus.choices, default=MonitorStatus.ACTIVE)
    detail = models.CharField(_("details"), max_length=200, blank=True)
    monitor_call_id = models.CharField(_("monitoring leg id"), max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    leg_started_at = models.DateTimeField(_("supervisor called"), null=True, blank=True)
    leg_answered_at = models.DateTimeField(_("supervisor answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("call monitoring")
        verbose_name_plural = _("call monitoring")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["customer", "status"], name="monitor_session_status")]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} {self.call_id} → {self.target}"
