from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.choices import LedgerKind
from billing.models.calls import customer_key_without_own_index
from panel.money import gross_amount
from panel.tenancy import TenantModel


class LedgerEntry(TenantModel):
    """One immutable movement of a customer's prepaid balance (charges negative, top-ups positive).

    The balance is the sum of the entries and is never edited in place. An
    entry with an `idempotency_key` exists at most once per customer, so a
    retried job or a repeated request never charges twice.
    """

    # (customer, -created_at) serves every look-up by the customer. Neither the customer nor the call link has
    # a database constraint: rating writes tens of thousands of call charges a second, each for the customer
    # and the call record it has just updated in the same transaction, and the constraints' per-row checks at
    # commit cost a third of rating's database time. Django still enforces both on delete (a customer's
    # entries go with it; a call that was charged cannot be deleted), and only billing's services write entries.
    customer = customer_key_without_own_index(db_constraint=False)
    kind = models.CharField(_("kind"), max_length=20, choices=LedgerKind.choices)
    amount_net = models.DecimalField(_("net amount (PLN)"), max_digits=12, decimal_places=2)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)
    amount_vat = models.DecimalField(_("VAT (PLN)"), max_digits=12, decimal_places=2)
    amount_gross = models.DecimalField(_("gross amount (PLN)"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=255)
    # The service, subscription and author links are indexed only where set (see Meta.indexes): most entries
    # are call charges without them, and each index less is one write less per charge.
    service = models.ForeignKey(
        "billing.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service"),
        db_index=False,
    )
    subscription = models.ForeignKey(
        "billing.Subscription",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("subscription"),
        db_index=False,
    )
    call = models.ForeignKey(
        "billing.CallRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("call"),
        db_constraint=False,
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=120, null=True, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        "panel.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
        db_index=False,
    )

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="ledger_idempotency_key_unique",
            )
        ]
        indexes = [
            models.Index(fields=["customer", "-created_at"]),
            models.Index(fields=["service"], name="ledger_service", condition=Q(service__isnull=False)),
            models.Index(fields=["subscription"], name="ledger_subscription", condition=Q(subscription__isnull=False)),
            models.Index(fields=["created_by"], name="ledger_created_by", condition=Q(created_by__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.customer.prefix} {self.amount_gross} {self.reason}"

    @classmethod
    def build(cls, *, customer, kind: str, amount_net: Decimal, reason: str, **extra) -> "LedgerEntry":
        """An unsaved entry with VAT and gross computed at the customer's VAT rate (half-up to 1 grosz)."""
        amount_net = amount_net.quantize(Decimal("0.01"))
        gross = gross_amount(amount_net, customer.vat_rate)
        return cls(
            customer=customer,
            kind=kind,
            amount_net=amount_net,
            vat_rate=customer.vat_rate,
            amount_vat=gross - amount_net,
            amount_gross=gross,
            reason=reason,
            **extra,
        )

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError(_("Ledger entries cannot be changed; add a correcting entry instead."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Ledger entries cannot be deleted; add a correcting entry instead."))
