from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from panel.tenancy import TenantModel
from recordings.push.choices import ConfirmationMethod, PushProtocol, PushRunStatus
from recordings.push.paths import DEFAULT_TEMPLATE, MAX_TEMPLATE_LENGTH


class PushTarget(TenantModel):
    """The customer's own server that receives each day's recordings (at most one per customer).

    Secrets are kept encrypted (recordings.crypto) and never shown back. For
    SFTP the server's host key is trusted on first use: the first successful
    connection records its SHA-256 fingerprint, and a different key later
    stops the push (`host_key_offered` keeps what was seen until the customer
    decides). Change it only through recordings.push.services.
    """

    protocol = models.CharField(_("protocol"), max_length=5, choices=PushProtocol.choices, default=PushProtocol.SFTP)
    host = models.CharField(_("server"), max_length=253)
    port = models.PositiveIntegerField(_("port"), validators=[MinValueValidator(1), MaxValueValidator(65535)])
    username = models.CharField(_("login"), max_length=150)
    password_encrypted = models.TextField(_("encrypted password"), blank=True, editable=False)
    private_key_encrypted = models.TextField(_("encrypted private key"), blank=True, editable=False)
    passive_mode = models.BooleanField(_("passive mode"), default=True)
    verify_tls = models.BooleanField(_("verify the TLS certificate"), default=True)
    path_template = models.CharField(_("target folder"), max_length=MAX_TEMPLATE_LENGTH, default=DEFAULT_TEMPLATE)
    host_key_fingerprint = models.CharField(_("server key (SHA-256)"), max_length=100, blank=True)
    host_key_recorded_at = models.DateTimeField(_("server key remembered"), null=True, blank=True)
    host_key_offered = models.CharField(
        _("different server key seen"),
        max_length=100,
        blank=True,
        help_text=_("A key other than the remembered one; the push waits until the customer accepts it."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("recording push target")
        verbose_name_plural = _("recording push targets")
        ordering = ["customer__prefix"]
        constraints = [models.UniqueConstraint(fields=["customer"], name="push_target_one_per_customer")]

    def __str__(self) -> str:
        return self.target_key

    @property
    def target_key(self) -> str:
        """What identifies the server a recording was confirmed on: `sftp://host:22`."""
        return f"{self.protocol}://{self.host}:{self.port}"

    @property
    def has_password(self) -> bool:
        return bool(self.password_encrypted)

    @property
    def has_private_key(self) -> bool:
        return bool(self.private_key_encrypted)

    @property
    def is_sftp(self) -> bool:
        return self.protocol == PushProtocol.SFTP


class PushRun(TenantModel):
    """The push of one customer's recordings of one local day: status, counts and the last error.

    One row per customer and day: a retry, the next night's catch-up and
    "Wyślij ponownie" continue the same row, so the counters say what the day
    has on the target; `heartbeat_at` lets a later attempt take over from a
    worker that was killed mid-push.
    """

    day = models.DateField(_("day"))
    status = models.CharField(_("status"), max_length=8, choices=PushRunStatus.choices, default=PushRunStatus.QUEUED)
    target = models.CharField(_("target server"), max_length=300, blank=True)
    total_count = models.PositiveIntegerField(_("recordings of the day"), default=0)
    uploaded_count = models.PositiveIntegerField(_("sent"), default=0)
    skipped_count = models.PositiveIntegerField(_("already on the server"), default=0)
    failed_count = models.PositiveIntegerField(_("not sent"), default=0)
    bytes_uploaded = models.PositiveBigIntegerField(_("bytes sent"), default=0)
    error = models.TextField(_("error"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    failed_nights = models.PositiveSmallIntegerField(_("failed nights"), default=0)
    last_failed_night = models.DateField(_("last failed night"), null=True, blank=True)
    alert_sent_at = models.DateTimeField(_("warning e-mail sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("recording push run")
        verbose_name_plural = _("recording push runs")
        ordering = ["-day", "-pk"]
        constraints = [models.UniqueConstraint(fields=["customer", "day"], name="push_run_one_per_day")]
        indexes = [models.Index(fields=["status", "day"], name="push_run_status_day")]

    def __str__(self) -> str:
        return f"{self.customer.prefix} {self.day:%Y-%m-%d}: {self.status}"

    @property
    def duration(self):
        if self.started_at and self.finished_at and self.finished_at >= self.started_at:
            return self.finished_at - self.started_at
        return None

    @property
    def duration_seconds(self) -> int | None:
        duration = self.duration
        return None if duration is None else max(1, round(duration.total_seconds()))

    @property
    def is_finished(self) -> bool:
        return self.status in (PushRunStatus.DONE, PushRunStatus.FAILED)


class PushConfirmation(TenantModel):
    """A recording verified on the customer's server: which file, at which path of which server, when.

    Written only after the remote size (and checksum, where offered) matched
    and the file had its final name, so a recording is never counted as pushed
    unless it really is there. A later push skips confirmed recordings.
    """

    recording = models.ForeignKey(
        "recordings.Recording",
        on_delete=models.CASCADE,
        related_name="push_confirmations",
        verbose_name=_("recording"),
    )
    run = models.ForeignKey(
        PushRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="confirmations",
        verbose_name=_("push run"),
    )
    target = models.CharField(_("target server"), max_length=300)
    remote_path = models.CharField(_("path on the server"), max_length=500)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"))
    method = models.CharField(_("how"), max_length=8, choices=ConfirmationMethod.choices)
    checksum = models.CharField(_("checksum compared"), max_length=10, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"))

    class Meta:
        verbose_name = _("pushed recording")
        verbose_name_plural = _("pushed recordings")
        ordering = ["-confirmed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recording", "target", "remote_path"], name="push_confirmation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.target}{self.remote_path}"
