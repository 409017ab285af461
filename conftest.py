"""Fixtures shared by every app's tests: two customers, a real Redis, Debian's chromium."""

import os
import threading
import time

import pytest
from django.conf import settings
from django.utils import translation

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


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the panel's default language (Polish), whatever a request of an earlier test chose: the
    locale middleware activates a visitor's language for the thread and nothing switches it back between tests."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


def _sleep_on_the_real_monotonic_clock(seconds: float) -> None:
    if seconds > 0:
        threading.Event().wait(seconds)
    else:
        os.sched_yield()


if "FAKETIME" in os.environ and os.environ.get("FAKETIME_DONT_FAKE_MONOTONIC") == "1":
    # The clock matrix (`make test-clock`) fakes only the wall clock. Debian's libfaketime 0.9.10 then turns
    # CPython 3.11's time.sleep (clock_nanosleep on the monotonic clock, absolute) into EINVAL (libfaketime issue
    # 426); a timed wait on an event uses sem_clockwait, which it leaves alone.
    time.sleep = _sleep_on_the_real_monotonic_clock
