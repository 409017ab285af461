"""Test fixtures and helpers shared by every app (imported by the root conftest)."""

from __future__ import annotations

import os
import shutil
from decimal import Decimal

import pytest
from django.conf import settings

from panel import embedded
from panel.choices import Package
from panel.models import Customer, User
from panel.tests import factories
from panel.tests.factories import PASSWORD  # noqa: F401 (imported from here by tests)

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


SEED_MIGRATIONS = ("billing.migrations.0002_seed_default_tariff", "billing.migrations.0004_seed_catalogue")


@pytest.fixture(autouse=True)
def seeded_reference_data(request):
    """Tariff and service catalogue rows that migrations seed, restored after a transactional test flushed them."""
    if request.node.get_closest_marker("django_db") is None and not {"db", "transactional_db"} & set(
        request.fixturenames
    ):
        return
    import importlib

    from django.apps import apps

    from billing.models import Service, Tariff

    request.getfixturevalue("django_db_setup")
    with request.getfixturevalue("django_db_blocker").unblock():
        if not (Tariff.objects.filter(is_default=True).exists() and Service.objects.exists()):
            for name in SEED_MIGRATIONS:
                importlib.import_module(name).seed(apps, None)


@pytest.fixture
def customer(db) -> Customer:
    from billing.services import balance_top_up

    firm = factories.customer()
    balance_top_up(customer=firm, amount_gross=Decimal("123.00"), reason="Test top-up")
    return firm


@pytest.fixture
def other_customer(db) -> Customer:
    return factories.customer(name="Druga Firma", prefix="drugafirma", package=Package.START)


@pytest.fixture
def user(customer) -> User:
    return factories.user(customer, username="demo", email="demo@firmaabcde.example")


@pytest.fixture
def other_user(other_customer) -> User:
    return factories.user(other_customer, username="drugi", email="drugi@drugafirma.example")


@pytest.fixture
def operator(db) -> User:
    return factories.user(None, username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def client_user(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def client_other(client, other_user):
    client.force_login(other_user)
    return client


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """A real redis-server on a free loopback port for the whole session; RQ queues point at it."""
    port = embedded.free_port()
    process = embedded.start_redis(port=port, data_dir=tmp_path_factory.mktemp("redis"))
    url = f"redis://127.0.0.1:{port}/0"
    original = settings.RQ_QUEUES
    settings.RQ_QUEUES = {name: {**conf, "URL": url} for name, conf in original.items()}
    yield url
    settings.RQ_QUEUES = original
    embedded.stop(process)


@pytest.fixture
def rq(redis_server):
    """The RQ queues on the session's Redis, emptied before each test."""
    import django_rq

    connection = django_rq.get_connection("default")
    connection.flushdb()
    return django_rq


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    launch = {**browser_type_launch_args, "executable_path": chromium, "args": CHROMIUM_ARGS}
    if "FAKETIME" in os.environ:
        # Under libfaketime (the clock matrix) chromium hangs on its faked clock; it keeps the real one while the
        # server under test keeps the faked one, as a visitor's browser would.
        faked = ("LD_PRELOAD", "FAKETIME", "FAKETIME_DONT_RESET", "FAKETIME_SHARED", "FAKETIME_DONT_FAKE_MONOTONIC")
        launch["env"] = {name: value for name, value in os.environ.items() if name not in faked}
    return launch


@pytest.fixture
def logged_in_page(page, live_server, user):
    """A browser page logged in as the customer's user through the real log-in form."""
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page
