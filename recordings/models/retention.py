from django.db import models
from django.utils.translation import gettext_lazy as _

from panel.tenancy import TenantModel


class RetentionLog(TenantModel):
    """What one run of the retention job deleted for one customer (operators read it in the admin)."""

    run_started_at = models.DateTimeField(_("run started"), db_index=True)
    cutoff = models.DateTimeField(_("deleted recordings started before"))
    deleted_count = models.PositiveIntegerField(_("recordings deleted"), default=0)
    deleted_bytes = models.PositiveBigIntegerField(_("bytes deleted"), default=0)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("retention log entry")
        verbose_name_plural = _("retention log")
        ordering = ["-run_started_at"]
        constraints = [models.UniqueConstraint(fields=["customer", "run_started_at"], name="retention_log_run_unique")]

    def __str__(self) -> str:
        return f"{self.customer.prefix} {self.run_started_at:%Y-%m-%d}: {self.deleted_count}"
