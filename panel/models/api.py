import hashlib
import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from panel.tenancy import TenantModel

TOKEN_PREFIX_LENGTH = 8


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(TenantModel):
    """A customer's key for the PBX ingestion API. Only its SHA-256 is stored; the key is shown once."""

    name = models.CharField(_("name"), max_length=100)
    key_prefix = models.CharField(_("key prefix"), max_length=TOKEN_PREFIX_LENGTH, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @classmethod
    def issue(cls, *, customer, name: str) -> tuple["ApiToken", str]:
        """Create a token and return it with its key (the only time the key exists in clear)."""
        key = secrets.token_urlsafe(32)
        token = cls.objects.create(
            customer=customer, name=name, key_prefix=key[:TOKEN_PREFIX_LENGTH], key_hash=hash_token(key)
        )
        return token, key
