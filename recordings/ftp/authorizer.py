"""Who may log in to the FTP server and what they may do: customers, read-only, their own folder."""

from __future__ import annotations

import logging

from django.db import DatabaseError
from pyftpdlib.exceptions import AuthenticationFailed, AuthorizerError

from recordings import selectors
from recordings.crypto import verify_secret
from recordings.ftp.database import ensure_usable_connections
from recordings.storage import RecordingStorage

logger = logging.getLogger("recordings.ftp")

READ_ONLY_PERMISSIONS = "elr"  # change directory, list, retrieve; nothing else
FAILED = "Authentication failed."


class RecordingsAuthorizer:
    """pyftpdlib authorizer backed by FtpAccount: login = customer prefix, password checked against its hash.

    There is no anonymous user, a disabled account or an inactive customer
    cannot log in, and every failure gives the same answer, so the server
    never tells whether a login exists. The home is the customer's folder in
    the storage, created empty on first log-in.
    """

    def __init__(self, storage: RecordingStorage) -> None:
        self.storage = storage

    def validate_authentication(self, username: str, password: str, handler) -> None:
        if username == "anonymous":
            raise AuthenticationFailed("Anonymous access not allowed.")
        try:
            ensure_usable_connections()
            account = selectors.ftp_account_for_login(login=username)
        except DatabaseError as error:
            logger.exception("FTP log-in check failed: database unavailable")
            raise AuthorizerError("Log-in is not possible right now; try again later.") from error
        if account is None or not verify_secret(password, account.password_hash):
            raise AuthenticationFailed(FAILED)
        if not account.is_enabled or not account.customer.is_active:
            raise AuthenticationFailed(FAILED)
        handler.customer = account.customer

    def get_home_dir(self, username: str) -> str:
        try:
            self.storage.makedirs(username)
        except (OSError, ValueError) as error:
            raise AuthorizerError("Your folder is not available; try again later.") from error
        return username

    def has_user(self, username: str) -> bool:
        return selectors.ftp_account_for_login(login=username) is not None

    def has_perm(self, username: str, perm: str, path: str | None = None) -> bool:
        return perm in READ_ONLY_PERMISSIONS

    def get_perms(self, username: str) -> str:
        return READ_ONLY_PERMISSIONS

    def get_msg_login(self, username: str) -> str:
        return "Login successful. Read-only access to your recordings."

    def get_msg_quit(self, username: str) -> str:
        return "Goodbye."

    def impersonate_user(self, username: str, password: str) -> None:
        """Nothing to do: every file access goes through the storage as the server's own user."""

    def terminate_impersonation(self, username: str) -> None:
        """Nothing to do (see impersonate_user)."""
