from django.db import models
from django.utils.translation import gettext_lazy as _

from panel.tenancy import TenantModel
from pbx.schemes.spec import empty_graph


class Scheme(TenantModel):
    """A call-flow scheme ("centralka"): a graph of elements (see pbx.schemes.spec) that DIDs can be bound to."""

    name = models.CharField(_("name"), max_length=100)
    graph = models.JSONField(_("graph"), default=empty_graph)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("call-flow scheme")
        verbose_name_plural = _("call-flow schemes")
        ordering = ["customer", "name"]
        constraints = [models.UniqueConstraint(fields=["customer", "name"], name="scheme_name_unique")]

    def __str__(self) -> str:
        return self.name
