"""Fixtures shared by every app's tests: two customers, a real Redis, Debian's chromium."""

from panel.testing import (  # noqa: F401
    browser_type_launch_args,
    client_other,
    client_user,
    customer,
    logged_in_page,
    operator,
    other_customer,
    other_user,
    redis_server,
    rq,
    seeded_reference_data,
    user,
)
