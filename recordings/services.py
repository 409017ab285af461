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


def ftp_log_record(
    *,
    event: str,
    login: str = "",
    ip: str | None = None,
    customer: Customer | None = None,
    path: str = "",
    detail: str = "",
    bytes_sent: int | None = None,
) -> FtpLogEntry:
    """Add one line to the FTP audit log (database and the `recordings.ftp` logger)."""
    logger.info(
        "ftp %s login=%s customer=%s ip=%s path=%s %s",
        event,
        login or "-",
        customer.prefix if customer else "-",
        ip or "-",
        path or "-",
        detail,
    )
    return FtpLogEntry.objects.create(
        event=event,
        login=(login or "")[:150],
        ip=ip or None,
        customer=customer,
        path=(path or "")[:500],
        detail=(detail or "")[:255],
        bytes_sent=bytes_sent,
    )


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
