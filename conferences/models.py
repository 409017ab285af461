"""Teleconference rooms, who is in them now (from the PBX's conference events) and planned dial-outs."""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from conferences import choices, constants
from panel.tenancy import TenantManager, TenantModel

pin_validator = RegexValidator(r"^[0-9]{4,8}\Z", _("The PIN is 4 to 8 digits."))
room_number_validator = RegexValidator(
    r"^\*[0-9]{2,4}\Z", _("The internal number is * followed by 2 to 4 digits, e.g. *7556.")
)


def greeting_upload_to(instance, filename: str) -> str:
    return f"conference-greetings/{instance.customer.prefix}/{instance.pk or 'new'}-{instance.number[1:]}.mp3"


class ConferenceLimit(models.Model):
    """The most participants a customer's rooms may hold; operators raise it per customer (default 15)."""

    customer = models.OneToOneField(
        "panel.Customer", on_delete=models.CASCADE, related_name="conference_limit", verbose_name=_("customer")
    )
    max_participants = models.PositiveSmallIntegerField(
        _("maximum participants per room"),
        default=constants.DEFAULT_MAX_PARTICIPANTS,
        validators=[MinValueValidator(2), MaxValueValidator(constants.HARD_MAX_PARTICIPANTS)],
    )

    class Meta:
        verbose_name = _("teleconference limit")
        verbose_name_plural = _("teleconference limits")

    def __str__(self) -> str:
        return f"{self.customer}: {self.max_participants}"


class ConferenceRoom(TenantModel):
    """A teleconference room callers join by its internal number (*NN) or by the public number routed to it."""

    name = models.CharField(_("room name"), max_length=100)
    pin = models.CharField(_("PIN code"), max_length=8, validators=[pin_validator])
    number = models.CharField(_("internal number"), max_length=5, validators=[room_number_validator])
    greeting_kind = models.CharField(
        _("welcome announcement"),
        max_length=10,
        choices=choices.GreetingKind.choices,
        default=choices.GreetingKind.SYSTEM,
    )
    greeting_file = models.FileField(_("announcement file"), upload_to=greeting_upload_to, blank=True)
    play_join_leave_tone = models.BooleanField(_("play information when someone joins or leaves"), default=True)
    announce_join_leave = models.BooleanField(_("announce the joining or leaving participant"), default=False)
    announce_count = models.BooleanField(_("tell the number of participants on entry"), default=True)
    max_participants = models.PositiveSmallIntegerField(
        _("maximum participants"),
        default=constants.DEFAULT_MAX_PARTICIPANTS,
        validators=[MinValueValidator(2), MaxValueValidator(constants.HARD_MAX_PARTICIPANTS)],
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("teleconference room")
        verbose_name_plural = _("teleconference rooms")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "number"], name="conference_room_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Participant(models.Model):
    """One caller's stay in a room, from its join event to its leave (or the room's end) event."""

    room = models.ForeignKey(ConferenceRoom, on_delete=models.CASCADE, related_name="participants")
    channel = models.CharField(_("channel"), max_length=64, help_text=_("The PBX's id of this caller's leg."))
    number = models.CharField(_("number"), max_length=32)
    joined_at = models.DateTimeField(_("joined"))
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    via = models.CharField(_("joined by"), max_length=10, choices=choices.JoinedVia.choices)

    objects = TenantManager(path="room__customer")

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["room", "channel"], name="conference_participant_channel_unique"),
        ]
        indexes = [models.Index(fields=["room", "left_at"], name="conference_participant_live")]

    def __str__(self) -> str:
        return self.number


class ConferenceEvent(TenantModel):
    """A conference event as the PBX sent it (join, leave, end, refused); its id makes a retry harmless."""

    event_id = models.CharField(_("event id"), max_length=64)
    room = models.ForeignKey(
        ConferenceRoom, on_delete=models.SET_NULL, null=True, blank=True, related_name="events", verbose_name=_("room")
    )
    room_number = models.CharField(_("room number"), max_length=5)
    kind = models.CharField(_("event"), max_length=10, choices=choices.EventKind.choices)
    channel = models.CharField(_("channel"), max_length=64, blank=True)
    number = models.CharField(_("number"), max_length=32, blank=True)
    reason = models.CharField(_("reason"), max_length=20, blank=True, choices=choices.RefusalReason.choices)
    at = models.DateTimeField(_("time"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("conference event")
        verbose_name_plural = _("conference events")
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "event_id"], name="conference_event_id_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.room_number} {self.kind} {self.number}"


class DialOut(TenantModel):
    """A call the panel places to bring a number into a room: now, or at a planned time by a scheduled job."""

    room = models.ForeignKey(
        ConferenceRoom,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dial_outs",
        verbose_name=_("room"),
    )
    number = models.CharField(_("number"), max_length=32)
    scheduled_for = models.DateTimeField(_("planned for"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=choices.DialOutStatus.choices, default=choices.DialOutStatus.SCHEDULED
    )
    call_id = models.CharField(_("call id"), max_length=64, blank=True)
    detail = models.CharField(_("details"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    placed_at = models.DateTimeField(_("placed"), null=True, blank=True)

    class Meta:
        verbose_name = _("dial-out")
        verbose_name_plural = _("dial-outs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.number} ({self.get_status_display()})"

    @property
    def job_id(self) -> str:
        return f"conference-dialout-{self.pk}"
