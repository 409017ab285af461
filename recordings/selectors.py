"""Reads of the recordings app."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from panel.models import Customer
from recordings.models import FtpAccount, FtpLogEntry, Recording


@dataclass(frozen=True)
class FtpAccessInfo:
    """What the customer needs to connect an FTP client (the password is revealed separately)."""

    host: str
    port: int
    login: str
    is_enabled: bool
    tls_required: bool


def ftp_account_get(*, customer: Customer) -> FtpAccount | None:
    return FtpAccount.objects.for_customer(customer).select_related("customer").first()


def ftp_account_for_login(*, login: str) -> FtpAccount | None:
    """The FTP account whose login (the customer prefix) is `login`, for the FTP server's log-in check."""
    if not login or len(login) > 20:
        return None
    return FtpAccount.objects.select_related("customer").filter(customer__prefix=login).first()


def ftp_access_info(*, account: FtpAccount) -> FtpAccessInfo:
    return FtpAccessInfo(
        host=settings.FTP_PUBLIC_HOST,
        port=settings.FTP_PUBLIC_PORT,
        login=account.login,
        is_enabled=account.is_enabled,
        tls_required=settings.FTP_REQUIRE_TLS,
    )


def recording_list(*, customer: Customer):
    return Recording.objects.for_customer(customer)


def ftp_log_list(*, customer: Customer):
    return FtpLogEntry.objects.for_customer(customer)
