"""The periodic jobs of centrala/cron.py: every entry names a declared job, and rqcron loads them all."""

import pytest
from django_rq.cron import DjangoCronScheduler

from centrala import cron
from panel import jobqueue

pytestmark = pytest.mark.django_db(transaction=True)


def test_cron_module_declares_only_known_jobs(rq):
    names = [name for name, _ in cron.PERIODIC_JOBS]
    assert names
    for name in names:
        jobqueue.resolve(name)  # raises for an unknown or undeclared job
    scheduler = DjangoCronScheduler()
    scheduler.load_config_from_file("centrala.cron")
    assert sorted(job.name for job in scheduler.get_jobs()) == sorted(names)
