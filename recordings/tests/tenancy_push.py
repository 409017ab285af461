"""Push URLs that take an object id, for tests/test_tenancy.py (another customer's run → 404)."""

from datetime import date

from recordings.tests import factories


def _push_run_of(customer):

    run = factories.push_run(customer, day=date(2026, 3, 29), status="failed", error="Test error")
    return {"pk": run.pk}


OBJECT_URLS = {
    "recordings:push_run": _push_run_of,
}
