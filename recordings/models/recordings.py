from django.db import models
from django.utils.translation import gettext_lazy as _

from panel.tenancy import TenantModel
from recordings.choices import Direction


class Recording(TenantModel):
    """One recorded call: where its MP3 is in the recording storage and what the call was.

    The file lives at `path` (relative to the storage: `<prefix>/YYYY/MM/DD/<name>.mp3`);
    the row is created only after the file is fully written, and its size and
    SHA-256 let anyone check the file later. The name is never parsed back:
    everything shown comes from these fields.
    """

    call_id = models.CharField(_("call ID"), max_length=64)
    started_at = models.DateTimeField(_("call start"))
    direction = models.CharField(_("direction"), max_length=5, choices=Direction.choices)
    caller = models.CharField(_("caller"), max_length=32, help_text=_("Digits only, without +."))
    callee = models.CharField(_("callee"), max_length=32, help_text=_("Digits only, without +."))
    path = models.CharField(_("file"), max_length=255, unique=True)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    duration_seconds = models.DecimalField(_("duration (s)"), max_digits=10, decimal_places=3)
    created_at = models.DateTimeField(_("stored"), auto_now_add=True)

    class Meta:
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["customer", "started_at"], name="recording_customer_started")]
        # A call has one recording (ingestion also says so in words); the index serves every look-up by call.
        constraints = [models.UniqueConstraint(fields=["customer", "call_id"], name="recording_call_id_unique")]

    def __str__(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def file_name(self) -> str:
        return self.path.rsplit("/", 1)[-1]
