"""How long a customer's recordings are kept, and the daily job that deletes the older ones.

The rule (product: 30 days, then gone for good; longer in 30-day steps up to
24 months): retention = 30 days + 30 days × the quantity of the customer's
"retention_extension" service that is active at the moment, at most 720 days.
A recording is deleted when it started more than that many whole days
(× 24 hours) ago: with 30 days, one that is exactly 30 × 24 h old stays, one
a second older goes.

Changing the quantity (recordings.services.retention_change) keeps the
billing rule "a paid option runs to the end of its billing period": a longer
retention applies at once, a shorter one at the end of the month, so the
subscription that pays for the longer retention stays active by its dates
until then. Therefore the quantity that counts is the largest one among the
extension subscriptions active by their dates, whatever their status says.

The job (`retention_run`) works per customer in batches: it deletes each
file through the storage and then the rows, and after each batch adds what
it deleted to the customer's RetentionLog row of this run. Killed halfway, it
leaves that row unfinished; the next run resumes it (same run, same row), so
the log still adds up. A file that is already gone does not keep its row.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import connection, models, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import selectors as billing_selectors
from billing.choices import SubscriptionStatus
from billing.models import Service, Subscription
from billing.services import next_month_start, pro_rata
from panel.models import Customer
from recordings.models import Recording, RetentionLog
from recordings.storage import RecordingStorage, UnsafePath, get_storage

logger = logging.getLogger("recordings.retention")

EXTENSION_SERVICE = "retention_extension"
BASE_DAYS = 30
STEP_DAYS = 30
MAX_STEPS = 23
MAX_DAYS = BASE_DAYS + STEP_DAYS * MAX_STEPS  # 720 days: 24 months of 30 days
# The panel shows (plays, offers for download) only the last 30 days; older recordings are on FTP only.
PANEL_DAYS = 30
DEFAULT_BATCH_SIZE = 1000
# Files deleted at the same time: deleting is waiting for the disk, so threads help even on one core.
DELETE_WORKERS = 8
# An unfinished run younger than this is resumed by the next run rather than started afresh.
RESUME_WINDOW = timedelta(hours=36)


# --- the rule, in plain Python


def days_for_quantity(quantity: int) -> int:
    """Total retention in days for an extension quantity (0 = no extension)."""
    return BASE_DAYS + STEP_DAYS * min(max(int(quantity), 0), MAX_STEPS)


def quantity_for_days(days: int) -> int:
    """The extension quantity that gives `days` in total; ValueError unless 30…720 in 30-day steps."""
    if days not in allowed_days():
        raise ValueError(f"retention must be {BASE_DAYS} to {MAX_DAYS} days in {STEP_DAYS}-day steps")
    return (days - BASE_DAYS) // STEP_DAYS


def allowed_days() -> list[int]:
    return [days_for_quantity(quantity) for quantity in range(MAX_STEPS + 1)]


def retention_cutoff(now: datetime, days: int) -> datetime:
    """Recordings that started before this moment are past their retention."""
    return now - timedelta(days=days)


def is_expired(started_at: datetime, *, now: datetime, days: int) -> bool:
    return started_at < retention_cutoff(now, days)


def panel_window_start(now: datetime) -> datetime:
    """The earliest call start the panel still shows (30 × 24 h back)."""
    return now - timedelta(days=PANEL_DAYS)


# --- reading the customer's retention


def _extension_subscriptions(*, at: datetime):
    """Extension subscriptions active at `at` by their dates (whatever their status)."""
    return Subscription.objects.filter(service__code=EXTENSION_SERVICE, started_at__lte=at).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=at)
    )


def extension_quantity(*, customer: Customer, at: datetime | None = None) -> int:
    at = at or timezone.now()
    found = _extension_subscriptions(at=at).filter(customer=customer).aggregate(quantity=Max("quantity"))
    return min(found["quantity"] or 0, MAX_STEPS)


def retention_days(customer: Customer, *, at: datetime | None = None) -> int:
    """How many days the customer's recordings are kept at `at` (now by default): 30 … 720."""
    return days_for_quantity(extension_quantity(customer=customer, at=at))


def extension_quantities(*, at: datetime) -> dict[int, int]:
    """Extension quantity by customer id, for every customer that has one at `at` (one query)."""
    rows = _extension_subscriptions(at=at).values("customer_id").annotate(quantity=Max("quantity"))
    return {row["customer_id"]: min(row["quantity"], MAX_STEPS) for row in rows}


@dataclass(frozen=True)
class RetentionState:
    """A customer's retention now and after a change already decided (e.g. a shortening at the month's end)."""

    effective_quantity: int
    scheduled_quantity: int
    change_at: datetime | None  # when the scheduled retention takes over; None when nothing is pending
    running: Subscription | None  # the extension subscription the billing page shows (not ended)
    active: list[Subscription] = field(default_factory=list)

    @property
    def effective_days(self) -> int:
        return days_for_quantity(self.effective_quantity)

    @property
    def scheduled_days(self) -> int:
        return days_for_quantity(self.scheduled_quantity)


def retention_state(*, customer: Customer, now: datetime | None = None) -> RetentionState:
    now = now or timezone.now()
    active = list(
        _extension_subscriptions(at=now).filter(customer=customer).select_related("service").order_by("started_at")
    )
    running = next((sub for sub in active if sub.status != SubscriptionStatus.ENDED), None)
    effective = min(max((sub.quantity for sub in active), default=0), MAX_STEPS)
    scheduled = (
        running.quantity
        if running is not None and running.status == SubscriptionStatus.ACTIVE and running.ends_at is None
        else 0
    )
    scheduled = min(scheduled, MAX_STEPS)
    change_at = None
    if scheduled < effective:
        ends = [sub.ends_at for sub in active if sub.quantity > scheduled and sub.ends_at is not None]
        change_at = max(ends) if ends else None
    return RetentionState(
        effective_quantity=effective,
        scheduled_quantity=scheduled,
        change_at=change_at,
        running=running,
        active=active,
    )


def extension_service() -> Service | None:
    return Service.objects.filter(code=EXTENSION_SERVICE).first()


def deletion_forecast(*, customer: Customer, at: datetime, old_days: int, new_days: int) -> int:
    """How many of the customer's recordings a shorter retention deletes at `at` that the old one would keep."""
    if new_days >= old_days:
        return 0
    return (
        Recording.objects.for_customer(customer)
        .filter(started_at__gte=retention_cutoff(at, old_days), started_at__lt=retention_cutoff(at, new_days))
        .count()
    )


def deletion_forecasts(*, customer: Customer, at: datetime, old_days: int) -> dict[int, int]:
    """`deletion_forecast` for every shorter total at once (one query), by total days."""
    shorter = [days for days in allowed_days() if days < old_days]
    if not shorter:
        return {}
    counts = Recording.objects.for_customer(customer).aggregate(
        **{
            f"d{days}": Count(
                "pk",
                filter=Q(started_at__gte=retention_cutoff(at, old_days), started_at__lt=retention_cutoff(at, days)),
            )
            for days in shorter
        }
    )
    return {days: counts[f"d{days}"] for days in shorter}


# --- changing the retention (the read side; recordings.services.retention_change writes)


class ChangeKind:
    NONE = "none"  # the chosen total is what applies (or is already scheduled)
    EXTEND = "extend"  # longer (or back to the current total): applies at once
    SHORTEN = "shorten"  # shorter: applies at the end of the billing period


@dataclass(frozen=True)
class RetentionChangePlan:
    """What choosing `new_days` in total means: when it applies, what it costs, what it deletes and when."""

    kind: str
    current_days: int
    new_days: int
    new_quantity: int
    effective_quantity: int
    takes_effect_at: datetime
    monthly_net: Decimal  # the extension's monthly fee at the new total
    charge_now_net: Decimal  # charged today: the rest of this month at the new fee less what was paid
    deleted_count: int  # recordings the shorter retention deletes (on `takes_effect_at`)
    blocked_reason: str = ""

    @property
    def deleted_on(self) -> date:
        return deletion_date(self.takes_effect_at)


def retention_change_plan(*, customer: Customer, total_days: int, now: datetime | None = None) -> RetentionChangePlan:
    """The consequences of choosing `total_days` (30…720) now; ValueError for a total that is not offered."""
    now = now or timezone.now()
    new_quantity = quantity_for_days(total_days)
    state = retention_state(customer=customer, now=now)
    service = extension_service()
    fee = service.period_fee if service is not None else Decimal("0.00")
    effective = state.effective_quantity
    blocked = ""
    if service is None or not service.is_offered:
        blocked = _("Longer retention is not offered at the moment.")
    elif not billing_selectors.service_active(customer=customer, code="recording", at=now):
        blocked = _("Switch on call recording first (Services / Offer).")
    common = {
        "current_days": days_for_quantity(effective),
        "new_days": total_days,
        "new_quantity": new_quantity,
        "effective_quantity": effective,
        "monthly_net": fee * new_quantity,
    }
    if new_quantity == state.scheduled_quantity and new_quantity <= effective:
        return RetentionChangePlan(
            kind=ChangeKind.NONE,
            takes_effect_at=state.change_at or now,
            charge_now_net=Decimal("0.00"),
            deleted_count=0,
            **common,
        )
    if new_quantity >= effective:
        charge = pro_rata(fee * new_quantity, now) - pro_rata(fee * effective, now)
        return RetentionChangePlan(
            kind=ChangeKind.EXTEND,
            takes_effect_at=now,
            charge_now_net=max(charge, Decimal("0.00")),
            deleted_count=0,
            blocked_reason=blocked if new_quantity > 0 else "",
            **common,
        )
    takes_effect_at = next_month_start(now)
    return RetentionChangePlan(
        kind=ChangeKind.SHORTEN,
        takes_effect_at=takes_effect_at,
        charge_now_net=Decimal("0.00"),
        deleted_count=deletion_forecast(
            customer=customer, at=takes_effect_at, old_days=days_for_quantity(effective), new_days=total_days
        ),
        blocked_reason=blocked if new_quantity > 0 else "",
        **common,
    )


# --- the daily job


@dataclass(frozen=True)
class RetentionRunResult:
    run_started_at: datetime
    logs: list[RetentionLog]

    @property
    def deleted_count(self) -> int:
        return sum(log.deleted_count for log in self.logs)

    @property
    def deleted_bytes(self) -> int:
        return sum(log.deleted_bytes for log in self.logs)


def _resumable_run(now: datetime) -> datetime | None:
    """The start of an unfinished recent run, which this run continues."""
    return (
        RetentionLog.objects.filter(finished_at__isnull=True, run_started_at__gt=now - RESUME_WINDOW)
        .order_by("-run_started_at")
        .values_list("run_started_at", flat=True)
        .first()
    )


def retention_run(
    *,
    now: datetime | None = None,
    storage: RecordingStorage | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    workers: int = DELETE_WORKERS,
) -> RetentionRunResult:
    """Delete every recording past its customer's retention; idempotent, resumable, logged per customer.

    Never deletes a recording inside its window (`is_expired`). Each batch
    deletes the files first (`workers` at a time), then the rows, then adds
    the batch to the customer's log row of this run, in that order, so a
    crash at any point loses nothing from the log and leaves at most rows
    whose files are gone, which the next run removes.
    """
    now = now or timezone.now()
    storage = storage or get_storage()
    run_started_at = _resumable_run(now) or now
    quantities = extension_quantities(at=now)
    candidates = (
        Recording.objects.filter(started_at__lt=retention_cutoff(now, BASE_DAYS))
        .order_by("customer_id")
        .values_list("customer_id", flat=True)
        .distinct()
    )
    finished = set(
        RetentionLog.objects.filter(run_started_at=run_started_at, finished_at__isnull=False).values_list(
            "customer_id", flat=True
        )
    )
    deleter = _FileDeleter(storage, workers)
    try:
        for customer_id in list(candidates):
            if customer_id in finished:
                continue
            _delete_for_customer(
                customer_id=customer_id,
                cutoff=retention_cutoff(now, days_for_quantity(quantities.get(customer_id, 0))),
                run_started_at=run_started_at,
                batch_size=batch_size,
                deleter=deleter,
            )
    finally:
        deleter.close()
    # A resumed run also finishes logs of customers that had nothing left to delete this time.
    RetentionLog.objects.filter(run_started_at=run_started_at, finished_at__isnull=True).update(
        finished_at=timezone.now()
    )
    logs = list(RetentionLog.objects.filter(run_started_at=run_started_at).select_related("customer"))
    return RetentionRunResult(run_started_at=run_started_at, logs=logs)


class _FileDeleter:
    """Deletes a batch's files through the storage, a share per thread (the disk waits, not the CPU).

    An unsafe stored path is logged and its row still goes; any other failure
    is raised once every thread has finished its share.
    """

    def __init__(self, storage: RecordingStorage, workers: int) -> None:
        self.storage = storage
        self.workers = max(1, workers)
        self.executor = (
            ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="retention") if self.workers > 1 else None
        )

    def _delete_share(self, share: list[str]) -> None:
        delete_many = getattr(self.storage, "delete_many", None)
        if delete_many is not None:
            try:
                delete_many(share)  # optional in the storage interface: many files in one call
                return
            except UnsafePath:
                pass  # find and log the unsafe one below; the others are deleted one by one
        for path in share:
            try:
                self.storage.delete(path)
            except UnsafePath:
                logger.error("retention: unsafe stored path %r; its row is deleted", path)

    def delete(self, paths: list[str]) -> None:
        if self.executor is None:
            self._delete_share(paths)
            return
        shares = [share for share in (paths[index :: self.workers] for index in range(self.workers)) if share]
        for _done in self.executor.map(self._delete_share, shares):
            pass

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True)


def _delete_rows(ids: list[int]) -> int:
    """Delete recording rows by id in one statement, after what references them (cascade); returns the count.

    Django's general delete would first load every row as an object to find
    what refers to it; for the plain cascades a recording has, one query per
    referring table does the same job.
    """
    relations = Recording._meta.related_objects
    if any(relation.on_delete is not models.CASCADE for relation in relations):
        return Recording.objects.filter(pk__in=ids).delete()[1].get(Recording._meta.label, 0)
    for relation in relations:
        relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": ids}).delete()
    table = connection.ops.quote_name(Recording._meta.db_table)
    column = connection.ops.quote_name(Recording._meta.pk.column)
    with connection.cursor() as cursor:
        # Names come from the model, the ids go as parameters.
        cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({', '.join(['%s'] * len(ids))})", ids)  # noqa: S608
        return cursor.rowcount


def _delete_for_customer(
    *,
    customer_id: int,
    cutoff: datetime,
    run_started_at: datetime,
    batch_size: int,
    deleter: _FileDeleter,
) -> RetentionLog | None:
    log = RetentionLog.objects.filter(customer_id=customer_id, run_started_at=run_started_at).first()
    expired = Recording.objects.filter(customer_id=customer_id, started_at__lt=cutoff)
    resume_from = None
    while True:
        batch_query = expired if resume_from is None else expired.filter(started_at__gte=resume_from)
        # Walks the (customer, started_at) index from where the last batch ended.
        batch = list(
            batch_query.order_by("started_at").values_list("pk", "path", "size_bytes", "started_at")[:batch_size]
        )
        if not batch:
            break
        if log is None:
            log = RetentionLog.objects.create(customer_id=customer_id, run_started_at=run_started_at, cutoff=cutoff)
        deleter.delete([path for _pk, path, _size, _started in batch])
        with transaction.atomic():
            deleted = _delete_rows([pk for pk, *_rest in batch])
            RetentionLog.objects.filter(pk=log.pk).update(
                deleted_count=F("deleted_count") + deleted,
                deleted_bytes=F("deleted_bytes") + sum(size for _pk, _path, size, _started in batch),
                cutoff=cutoff,
            )
        resume_from = batch[-1][3]
    if log is None:
        return None
    RetentionLog.objects.filter(pk=log.pk).update(finished_at=timezone.now())
    log.refresh_from_db()
    logger.info(
        "retention customer=%s deleted=%s bytes=%s cutoff=%s",
        customer_id,
        log.deleted_count,
        log.deleted_bytes,
        cutoff.isoformat(),
    )
    return log


def deletion_date(moment: datetime) -> date:
    """The local calendar date of a moment, as the page says "deleted on …"."""
    return timezone.localtime(moment).date()
