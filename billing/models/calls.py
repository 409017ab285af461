import copy

from django.db import models
from django.utils.translation import gettext_lazy as _

from billing.choices import CallDirection, Disposition, LegKind, RatingStatus
from panel.tenancy import TenantManager, TenantModel


def customer_key_without_own_index(*, db_constraint: bool = True) -> models.ForeignKey:
    """`TenantModel.customer` without its single-column index, for a model whose composite indexes start with
    the customer and serve every look-up by it: one index less to write for each row stored or changed."""
    field = copy.deepcopy(TenantModel._meta.get_field("customer"))  # as Django copies it into each model
    field.db_index = False
    field.db_constraint = db_constraint
    return field


class CallRecord(TenantModel):
    """One call as the PBX reported it (call detail record), with its rated cost; one per (customer, call_id).

    Ingestion is idempotent by `call_id`: a PBX that retries never creates a
    second record or a second charge. The cost is the sum of its legs' costs.
    """

    customer = customer_key_without_own_index()
    call_id = models.CharField(_("call id"), max_length=64)
    started_at = models.DateTimeField(_("start"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("end"))
    direction = models.CharField(_("direction"), max_length=5, choices=CallDirection.choices)
    caller = models.CharField(_("caller"), max_length=32)
    callee = models.CharField(_("callee"), max_length=32)
    extension = models.CharField(_("extension"), max_length=6, blank=True)
    queue_number = models.CharField(_("queue"), max_length=6, blank=True)
    disposition = models.CharField(_("result"), max_length=10, choices=Disposition.choices)
    talk_seconds = models.PositiveIntegerField(_("talk time (s)"), default=0)
    cost_net = models.DecimalField(_("net cost (PLN)"), max_digits=10, decimal_places=2, null=True, blank=True)
    cost_gross = models.DecimalField(_("gross cost (PLN)"), max_digits=10, decimal_places=2, null=True, blank=True)
    rating_status = models.CharField(
        _("rating"), max_length=10, choices=RatingStatus.choices, default=RatingStatus.PENDING
    )
    rating_error = models.CharField(_("rating problem"), max_length=255, blank=True)
    rated_at = models.DateTimeField(_("rated"), null=True, blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("call record")
        verbose_name_plural = _("call records")
        ordering = ["-started_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["customer", "call_id"], name="call_record_call_id_unique")]
        indexes = [
            # Carries what the history's totals add up and its common filters test (PostgreSQL INCLUDE), so the
            # totals of a month are an index-only scan instead of a heap page read for nearly every call.
            models.Index(
                fields=["customer", "-started_at", "-id"],
                name="call_customer_started",
                include=["talk_seconds", "cost_net", "cost_gross", "direction", "disposition"],
            ),
            # Only the records rating still has to deal with (pending, unratable), so that writing a record's
            # cost leaves this index alone and it stays a few pages long over millions of rated calls.
            models.Index(
                fields=["rating_status", "customer", "id"],
                name="call_rating_attention",
                condition=models.Q(rating_status__in=[RatingStatus.PENDING, RatingStatus.UNRATABLE]),
            ),
            # The call history's filters and sorts that pick few rows out of a long period, and queue statistics.
            models.Index(fields=["customer", "extension", "-started_at", "-id"], name="call_customer_ext_started"),
            models.Index(fields=["customer", "cost_net", "id"], name="call_customer_cost"),
            models.Index(
                fields=["customer", "queue_number", "started_at"],
                name="call_customer_queue_started",
                condition=~models.Q(queue_number=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.call_id} {self.caller} → {self.callee}"


class CallLeg(models.Model):
    """One leg of a call; billable legs (out to the public network) are priced by the customer's tariff."""

    # No index of its own: the unique (call, index) serves every lookup by call and one index less is written
    # for each leg stored and rated.
    call = models.ForeignKey(
        CallRecord, on_delete=models.CASCADE, related_name="legs", verbose_name=_("call"), db_index=False
    )
    index = models.PositiveSmallIntegerField(_("leg"))
    kind = models.CharField(_("kind"), max_length=20, choices=LegKind.choices)
    source = models.CharField(_("from"), max_length=32)
    destination = models.CharField(_("to"), max_length=32)
    started_at = models.DateTimeField(_("start"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("end"))
    billable = models.BooleanField(_("billable"), default=False)
    billed_seconds = models.PositiveIntegerField(_("billed seconds"), default=0)
    destination_name = models.CharField(_("destination"), max_length=100, blank=True)
    rate_per_minute = models.DecimalField(
        _("net rate per minute (PLN)"), max_digits=8, decimal_places=4, null=True, blank=True
    )
    cost_net = models.DecimalField(_("net cost (PLN)"), max_digits=10, decimal_places=2, null=True, blank=True)

    objects = TenantManager(path="call__customer")

    class Meta:
        verbose_name = _("call leg")
        verbose_name_plural = _("call legs")
        ordering = ["call", "index"]
        constraints = [models.UniqueConstraint(fields=["call", "index"], name="call_leg_index_unique")]

    def __str__(self) -> str:
        return f"{self.call.call_id}#{self.index} {self.source} → {self.destination}"
