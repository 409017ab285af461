"""Database use from the FTP server's single long-running event loop."""

from django.db import connections


def ensure_usable_connections() -> None:
    """Keep the server's database connection for its whole life, replacing it only once it broke.

    Django's per-request `close_old_connections()` would, with the default
    CONN_MAX_AGE=0, open a new connection for every log-in and every audit
    line, and every one of those would stall all FTP clients meanwhile.
    """
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and not connection.is_usable():
            connection.close()
