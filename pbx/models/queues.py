from django.db import models
from django.utils.translation import gettext_lazy as _

from panel.tenancy import TenantModel


class Queue(TenantModel):
    """A call queue that rings the customer's agents."""

    name = models.CharField(_("name"), max_length=100)
    number = models.CharField(_("queue number"), max_length=6)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("queue")
        verbose_name_plural = _("queues")
        ordering = ["customer", "name"]
        constraints = [models.UniqueConstraint(fields=["customer", "number"], name="queue_number_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"
