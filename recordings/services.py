"""Writes of the recordings app: FTP credentials, the FTP audit log, and storing a recording."""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal
from typing import BinaryIO

from django.db import IntegrityError, transaction
from django.utils import timezone

from panel.models import Customer
from recordings.choices import Direction, FtpEvent
from recordings.crypto import decrypt_secret, encrypt_secret, generate_password, hash_secret
from recordings.models import FtpAccount, FtpLogEntry, Recording
from recordings.naming import number_for_file_name, recording_relative_path
from recordings.storage import RecordingStorage, get_storage

logger = logging.getLogger("recordings.ftp")


def _set_password(account: FtpAccount, password: str) -> None:
    account.password_encrypted = encrypt_secret(password)
    account.password_hash = hash_secret(password)
    account.password_changed_at = timezone.now()


@transaction.atomic
def ftp_account_ensure(*, customer: Customer) -> FtpAccount:
    """The customer's FTP account, created with a generated password if it has none yet.

    Every customer can read its recordings over FTP; the account is made on
    first need (the panel page, an operator), never twice.
    """
    account = FtpAccount.objects.select_for_update().filter(customer=customer).first()
    if account is not None:
        return account
    account = FtpAccount(customer=customer)
    _set_password(account, generate_password())
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:
        # Created meanwhile by a parallel request: use that one.
        return FtpAccount.objects.get(customer=customer)
    return account


@transaction.atomic
def ftp_password_regenerate(*, customer: Customer, by: str = "", ip: str | None = None) -> str:
    """Replace the customer's FTP password with a new generated one and return it; the old one stops working."""
    account = ftp_account_ensure(customer=customer)
    account = FtpAccount.objects.select_for_update().get(pk=account.pk)
    password = generate_password()
    _set_password(account, password)
    account.save(update_fields=["password_encrypted", "password_hash", "password_changed_at"])
    ftp_log_record(event=FtpEvent.PASSWORD_CHANGED, customer=customer, login=customer.prefix, ip=ip, detail=by)
    return password


def ftp_password_reveal(*, customer: Customer, by: str = "", ip: str | None = None) -> str:
    """The customer's current FTP password in clear, for "Pokaż hasło"; every reveal is logged."""
    account = ftp_account_ensure(customer=customer)
    ftp_log_record(event=FtpEvent.PASSWORD_SHOWN, customer=customer, login=customer.prefix, ip=ip, detail=by)
    return decrypt_secret(account.password_encrypted)


def ftp_log_entry(
    *,
    event: str,
    login: str = "",
    ip: str | None = None,
    customer: Customer | None = None,
    path: str = "",
    detail: str = "",
    bytes_sent: int | None = None,
) -> FtpLogEntry:
    """Log one line of the FTP audit log now (the `recordings.ftp` logger) and return its row, not yet saved."""
    logger.info(
        "ftp %s login=%s customer=%s ip=%s path=%s %s",
        event,
        login or "-",
        customer.prefix if customer else "-",
        ip or "-",
        path or "-",
        detail,
    )
    return FtpLogEntry(
        created_at=timezone.now(),
        event=event,
        login=(login or "")[:150],
        ip=ip or None,
        customer=customer,
        path=(path or "")[:500],
        detail=(detail or "")[:255],
        bytes_sent=bytes_sent,
    )


def ftp_log_record(**fields) -> FtpLogEntry:
    """Add one line to the FTP audit log (database and the `recordings.ftp` logger); fields as `ftp_log_entry`."""
    entry = ftp_log_entry(**fields)
    entry.save()
    return entry


def recording_save(
    *,
    customer: Customer,
    call_id: str,
    started_at: datetime,
    direction: str,
    caller: str,
    callee: str,
    source: BinaryIO,
    duration_seconds: Decimal,
    storage: RecordingStorage | None = None,
) -> Recording:
    """Store an MP3 for a call and its database row: both or neither.

    The file is written first (atomically, `_2` added if the name is taken),
    then the row; if the row cannot be saved the file is deleted again, so a
    failure leaves no file without a row and no row without a file.
    Checking the audio and the recording service is the caller's job.
    """
    if direction not in Direction.values:
        raise ValueError(f"unknown direction {direction!r}")
    storage = storage or get_storage()
    relative_path = recording_relative_path(
        prefix=customer.prefix, started_at=started_at, direction=direction, caller=caller, callee=callee
    )
    stored = storage.save_atomic(relative_path, source)
    try:
        with transaction.atomic():
            return Recording.objects.create(
                customer=customer,
                call_id=call_id,
                started_at=started_at,
                direction=direction,
                caller=number_for_file_name(caller),
                callee=number_for_file_name(callee),
                path=stored.path,
                size_bytes=stored.size,
                sha256=stored.sha256,
                duration_seconds=duration_seconds,
            )
    except BaseException:
        storage.delete(stored.path)
        raise


# --- Deleting on request, changing the retention, ZIP exports (the panel's writes)

deletion_logger = logging.getLogger("recordings.deletion")


def recording_delete(
    *,
    customer: Customer,
    recording: Recording,
    by: str = "",
    ip: str | None = None,
    storage: RecordingStorage | None = None,
) -> bool:
    """Delete one recording on the customer's request: its file (FTP no longer lists it), then its row.

    Logged with the customer, the user and the address. False when the
    recording was gone already (a second click, a parallel request).
    """
    storage = storage or get_storage()
    with transaction.atomic():
        locked = Recording.objects.for_customer(customer).select_for_update().filter(pk=recording.pk).first()
        if locked is None:
            return False
        storage.delete(locked.path)
        locked.delete()
    deletion_logger.info(
        "recording deleted on request customer=%s user=%s ip=%s call_id=%s path=%s size=%s",
        customer.prefix,
        by or "-",
        ip or "-",
        locked.call_id,
        locked.path,
        locked.size_bytes,
    )
    return True


@transaction.atomic
def retention_change(*, customer: Customer, total_days: int, user=None, now: datetime | None = None):
    """Set the customer's total recording retention (30…720 days) through the billing catalogue.

    The quantity of the "retention_extension" subscription cannot change in
    place, so the subscription is replaced:

    - longer (or back to what applies now): at once. The running extension
      ends now, the new quantity is switched on by billing (charged for the
      rest of the month) and the part of this month already paid for the old
      quantity is credited, so the customer pays the difference only;
    - shorter: at the end of the billing period. The extension that pays for
      the current retention stays active by its dates until then (its status
      is "ended": it is never charged again) and the new quantity is switched
      on now, its first period credited (this month is paid already); billing
      charges it from the next month. To 30 days: the extension is cancelled.

    Returns the plan that was carried out (`retention.retention_change_plan`).
    Raises ValidationError when billing refuses (e.g. recording is off).
    """
    from django.core.exceptions import ValidationError
    from django.db.models import Q
    from django.utils.translation import gettext as _

    from billing import services as billing_services
    from billing.choices import LedgerKind, SubscriptionStatus
    from billing.models import LedgerEntry, Subscription
    from recordings import retention

    now = now or timezone.now()
    Customer.objects.select_for_update().filter(pk=customer.pk).first()  # one change at a time per customer
    plan = retention.retention_change_plan(customer=customer, total_days=total_days, now=now)
    if plan.kind == retention.ChangeKind.NONE:
        return plan
    if plan.blocked_reason:
        raise ValidationError(plan.blocked_reason)
    service = retention.extension_service()
    current = list(
        Subscription.objects.for_customer(customer)
        .select_for_update()
        .filter(service=service)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
    )

    def end(subscription, at: datetime) -> None:
        subscription.status = SubscriptionStatus.ENDED
        subscription.ends_at = at
        subscription.cancelled_at = subscription.cancelled_at or now
        subscription.save(update_fields=["status", "ends_at", "cancelled_at"])

    def credit(*, amount, subscription, reason: str, key: str) -> None:
        if amount <= 0:
            return
        LedgerEntry.build(
            customer=customer,
            kind=LedgerKind.ADJUSTMENT,
            amount_net=amount,
            reason=reason,
            service=service,
            subscription=subscription,
            created_by=user,
            idempotency_key=key,
        ).save()

    if plan.kind == retention.ChangeKind.EXTEND:
        for subscription in current:
            end(subscription, now)
        if plan.new_quantity == 0:
            return plan
        subscription = billing_services.service_activate(
            customer=customer, service=service, quantity=plan.new_quantity, user=user, now=now
        )
        credit(
            amount=billing_services.pro_rata(service.period_fee * plan.effective_quantity, now),
            subscription=subscription,
            reason=_("Longer recording retention: the previous retention paid for the rest of this month"),
            key=f"retention-change:sub:{subscription.pk}",
        )
        return plan

    # Shorter: what pays for today's retention runs to the end of the period, nothing more is charged for it.
    for subscription in current:
        carries_today = subscription.quantity == plan.effective_quantity
        if not carries_today:
            end(subscription, now)
        elif plan.new_quantity == 0 and subscription.status == SubscriptionStatus.ACTIVE:
            billing_services.service_cancel(customer=customer, subscription=subscription, now=now)
        elif plan.new_quantity > 0 and (subscription.ends_at is None or subscription.ends_at > plan.takes_effect_at):
            end(subscription, plan.takes_effect_at)
        elif plan.new_quantity > 0 and subscription.status != SubscriptionStatus.ENDED:
            end(subscription, subscription.ends_at)
    if plan.new_quantity > 0:
        subscription = billing_services.service_activate(
            customer=customer, service=service, quantity=plan.new_quantity, user=user, now=now
        )
        first_period = billing_services.activation_charge(service=service, quantity=plan.new_quantity, now=now)
        credit(
            amount=first_period.first_period,
            subscription=subscription,
            reason=_("Longer recording retention: this month is paid at the current retention"),
            key=f"retention-change:sub:{subscription.pk}",
        )
    return plan


def recording_export_start(*, customer: Customer, filters: dict, requested_by: str = "") -> tuple[str, str]:
    """Build a ZIP of a large filtered set in the background; returns (job id, ZIP file name).

    The job writes the ZIP to the storage outside every customer's FTP tree
    (`_exports/<prefix>/…`) and reports its progress in the RQ job's meta.
    """
    import secrets

    from panel.jobqueue import enqueue_now
    from recordings.jobs import exports

    stamp = timezone.localtime().strftime("%Y-%m-%d_%H-%M-%S")
    file_name = f"recordings_{stamp}_{secrets.token_hex(4)}.zip"
    job = enqueue_now(
        exports.build_recordings_zip,
        customer.pk,
        filters,
        file_name,
        job_id=f"recordings-zip-{customer.pk}-{file_name[:-4]}",
        result_ttl=24 * 3600,
        meta={"customer_id": customer.pk, "file": file_name, "done": 0, "total": None, "by": requested_by},
    )
    return job.id, file_name
