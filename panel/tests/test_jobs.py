"""Background-job conventions, exercised against a real redis-server and a real RQ worker."""

import pytest
from django.db import transaction
from rq import SimpleWorker

from panel import jobqueue
from panel.jobqueue import REGISTRY, background_job
from panel.models import LoginFailure

pytestmark = pytest.mark.django_db(transaction=True)


def test_job_without_timeout_or_with_unknown_queue_cannot_be_declared():
    with pytest.raises(TypeError):
        background_job(queue="default")  # timeout is required
    with pytest.raises(ValueError, match="Unknown queue"):
        background_job(queue="urgent", timeout=10)


def test_every_declared_job_has_a_timeout_and_a_retry_policy():
    import panel.jobs  # noqa: F401  (registers its jobs)

    assert REGISTRY
    for name, policy in REGISTRY.items():
        assert policy.timeout > 0, name
        assert policy.queue in jobqueue.QUEUES, name


def test_undeclared_function_is_refused():
    with pytest.raises(TypeError, match="not declared"):
        jobqueue.enqueue(print)


def test_enqueue_waits_for_commit_and_carries_the_policy(rq):
    from panel.jobs import prune_login_records

    queue = rq.get_queue("low")
    with transaction.atomic():
        jobqueue.enqueue(prune_login_records)
        assert queue.count == 0  # nothing runs against uncommitted data
    assert queue.count == 1
    job = queue.jobs[0]
    assert job.timeout == 120
    assert job.retries_left == 2


def test_rolled_back_transaction_enqueues_nothing(rq):
    from panel.jobs import prune_login_records

    with pytest.raises(RuntimeError), transaction.atomic():
        jobqueue.enqueue(prune_login_records)
        raise RuntimeError("rollback")
    assert rq.get_queue("low").count == 0


def test_periodic_jobs_are_dispatched_with_their_policy_and_run_idempotently(rq):
    from datetime import timedelta

    from django.utils import timezone

    LoginFailure.objects.create(username="old", created_at=timezone.now() - timedelta(days=1))
    jobqueue.dispatch("panel.jobs.prune_login_records")
    queue = rq.get_queue("low")
    assert queue.count == 1
    worker = SimpleWorker([queue], connection=queue.connection)
    worker.work(burst=True)
    assert not LoginFailure.objects.exists()
    jobqueue.dispatch("panel.jobs.prune_login_records")  # running again changes nothing
    worker.work(burst=True)
    assert not LoginFailure.objects.exists()
    assert len(queue.finished_job_registry) == 2
