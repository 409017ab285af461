"""The nightly push through a real Redis and a real RQ worker, to a real FTP server on 127.0.0.1."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rq import SimpleWorker

from panel import jobqueue
from recordings.jobs import push as push_jobs
from recordings.models import PushRun
from recordings.push.choices import PushProtocol, PushRunStatus
from recordings.push.days import previous_local_day
from recordings.push.services import push_target_save
from recordings.push.testing import push_settings, recordings_of_day, switch_push_on, writable_ftp_server
from recordings.storage import get_storage
from recordings.tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def recordings_root(settings, tmp_path):
    settings.RECORDINGS_ROOT = tmp_path / "recordings"
    return get_storage()


@pytest.fixture
def ftp(tmp_path):
    with writable_ftp_server(tmp_path / "target") as (server, faults):
        yield server, faults, tmp_path / "target"


def work(rq):
    queue = rq.get_queue("low")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    return queue


def test_nightly_job_is_declared_for_the_cron():
    assert jobqueue.resolve("recordings.jobs.push.push_nightly") is push_jobs.push_nightly
    policy = push_jobs.push_customer_days.job_policy
    assert policy.timeout >= 3600 and policy.retries == 3


def test_the_night_queues_only_customers_with_the_service_and_pushes_yesterday(
    rq, customer, other_customer, recordings_root, ftp
):
    server, _faults, root = ftp
    switch_push_on(customer)
    push_target_save(customer=customer, data=push_settings(PushProtocol.FTP, server.address))
    push_target_save(customer=other_customer, data=push_settings(PushProtocol.FTP, server.address))  # no service
    yesterday = previous_local_day(timezone.now())
    recordings = recordings_of_day(customer, day=yesterday, count=3, storage=recordings_root)
    recordings_of_day(other_customer, day=yesterday, count=2, storage=recordings_root, seed=50)

    jobqueue.dispatch("recordings.jobs.push.push_nightly")
    queue = work(rq)  # the planner, then the one push job it queued

    assert PushRun.objects.for_customer(other_customer).count() == 0
    run = PushRun.objects.for_customer(customer).get()
    assert run.day == yesterday
    assert push_jobs.push_job_id(customer.pk, yesterday) in queue.finished_job_registry.get_job_ids()
    assert run.status == PushRunStatus.DONE and run.uploaded_count == 3
    folder = root / "nagrania" / f"{yesterday:%Y}" / f"{yesterday:%m}" / f"{yesterday:%d}"
    assert sorted(path.name for path in folder.iterdir()) == sorted(r.file_name for r in recordings)


def test_a_second_planner_run_does_not_queue_the_same_push_twice(rq, customer):
    switch_push_on(customer)
    assert push_jobs.push_nightly() == 1
    assert push_jobs.push_nightly() == 0
    assert rq.get_queue("low").count == 1


def test_a_failing_push_is_retried_by_rq_and_the_backlog_is_sent_oldest_first(rq, customer, recordings_root, ftp):
    server, faults, root = ftp
    switch_push_on(customer)
    push_target_save(customer=customer, data=push_settings(PushProtocol.FTP, server.address))
    yesterday = previous_local_day(timezone.now())
    older = yesterday - timedelta(days=3)
    recordings_of_day(customer, day=older, count=1, storage=recordings_root)
    recordings_of_day(customer, day=yesterday, count=1, storage=recordings_root, seed=9)
    factories.push_run(customer, day=older, status=PushRunStatus.FAILED, failed_nights=1)
    faults.crash_after_files = 0  # the target accepts log-ins but dies on the first file

    push_jobs.push_nightly()
    queue = work(rq)

    job = queue.fetch_job(push_jobs.push_job_id(customer.pk, yesterday))
    assert job.args[1] == [older.isoformat(), yesterday.isoformat()]
    assert job.get_status() == "scheduled" and job.retries_left == 2  # RQ tries again later in the night
    assert set(PushRun.objects.for_customer(customer).values_list("status", flat=True)) == {PushRunStatus.FAILED}

    faults.crash_after_files = None
    push_jobs.push_customer_days(customer.pk, job.args[1])  # what the retry does
    runs = dict(PushRun.objects.for_customer(customer).values_list("day", "status"))
    assert runs == {older: PushRunStatus.DONE, yesterday: PushRunStatus.DONE}
    uploaded = [path.rsplit("/", 1)[1] for path in faults.uploads]
    assert uploaded[-2].startswith(f".{older:%Y-%m-%d}") and uploaded[-1].startswith(f".{yesterday:%Y-%m-%d}")


def test_resend_queues_a_recheck_job(rq, customer, recordings_root, ftp):
    server, faults, root = ftp
    switch_push_on(customer)
    push_target_save(customer=customer, data=push_settings(PushProtocol.FTP, server.address))
    day = previous_local_day(timezone.now()) - timedelta(days=2)
    (recording,) = recordings_of_day(customer, day=day, count=1, storage=recordings_root)
    from recordings.push.services import push_resend

    push_resend(customer=customer, day=day)
    work(rq)
    assert PushRun.objects.for_customer(customer).get(day=day).status == PushRunStatus.DONE
    (root / "nagrania" / f"{day:%Y/%m/%d}" / recording.file_name).unlink()  # removed on the server

    push_resend(customer=customer, day=day)
    work(rq)
    assert (root / "nagrania" / f"{day:%Y/%m/%d}" / recording.file_name).exists()
    assert len(faults.uploads) == 2
