"""Retention: the rule and its boundary, the daily job (idempotent, resumable, logged), and changing the total."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from billing.choices import SubscriptionStatus
from billing.models import LedgerEntry, Service, Subscription
from billing.services import monthly_fees_charge, service_activate
from recordings import retention
from recordings.models import Recording, RetentionLog
from recordings.services import retention_change
from recordings.storage import LocalRecordingStorage
from recordings.testing import random_audio_bytes
from recordings.tests import factories

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def storage(tmp_path):
    return LocalRecordingStorage(tmp_path / "recordings")


def extension():
    return Service.objects.get(code="retention_extension")


def extend(customer, quantity: int, *, at: datetime = NOW - timedelta(days=400)):
    return service_activate(customer=customer, service=extension(), quantity=quantity, now=at)


def recording_aged(customer, storage, age: timedelta, *, size: int = 1000, now: datetime = NOW, **fields):
    started_at = now - age
    return factories.recording(
        customer,
        started_at=started_at,
        content=random_audio_bytes(size, seed=int(age.total_seconds())),
        storage=storage,
        call_id=fields.pop("call_id", f"call-{age.total_seconds():.0f}"),
        **fields,
    )


def ages_left(customer):
    return sorted(
        (NOW - started).days
        for started in Recording.objects.for_customer(customer).values_list("started_at", flat=True)
    )


# --- the rule


@pytest.mark.smoke
def test_totals_are_30_days_to_24_months_in_30_day_steps():
    assert retention.allowed_days()[:3] == [30, 60, 90]
    assert retention.allowed_days()[-1] == 720
    assert len(retention.allowed_days()) == 24
    assert retention.days_for_quantity(0) == 30
    assert retention.days_for_quantity(2) == 90
    assert retention.days_for_quantity(99) == 720
    assert retention.quantity_for_days(90) == 2
    for wrong in (0, 29, 45, 750):
        with pytest.raises(ValueError):
            retention.quantity_for_days(wrong)


@pytest.mark.smoke
def test_exactly_thirty_days_old_stays_a_second_older_goes():
    assert not retention.is_expired(NOW - timedelta(days=30), now=NOW, days=30)
    assert retention.is_expired(NOW - timedelta(days=30, seconds=1), now=NOW, days=30)
    assert not retention.is_expired(NOW - timedelta(days=29, hours=23), now=NOW, days=30)


def test_retention_days_follow_the_active_extension(customer):
    assert retention.retention_days(customer, at=NOW) == 30
    subscription = extend(customer, 2, at=NOW - timedelta(days=10))
    assert retention.retention_days(customer, at=NOW) == 90
    assert retention.retention_days(customer, at=NOW - timedelta(days=11)) == 30
    subscription.ends_at = NOW + timedelta(days=1)
    subscription.save()
    assert retention.retention_days(customer, at=NOW + timedelta(days=1)) == 30


# --- the daily job


def test_29_and_30_days_old_are_kept_31_deleted_with_30_day_retention(customer, storage):
    kept_29 = recording_aged(customer, storage, timedelta(days=29))
    kept_30 = recording_aged(customer, storage, timedelta(days=30))
    gone_31 = recording_aged(customer, storage, timedelta(days=31), size=4321)
    result = retention.retention_run(now=NOW, storage=storage)
    assert ages_left(customer) == [29, 30]
    assert storage.exists(kept_29.path) and storage.exists(kept_30.path)
    assert not storage.exists(gone_31.path)
    log = RetentionLog.objects.get(customer=customer)
    assert (log.deleted_count, log.deleted_bytes) == (1, 4321)
    assert log.cutoff == NOW - timedelta(days=30)
    assert log.finished_at is not None
    assert (result.deleted_count, result.deleted_bytes) == (1, 4321)


def test_89_kept_91_deleted_with_90_day_retention(customer, storage):
    extend(customer, 2)
    for days in (31, 89, 91, 120):
        recording_aged(customer, storage, timedelta(days=days))
    retention.retention_run(now=NOW, storage=storage)
    assert ages_left(customer) == [31, 89]


def test_each_customer_has_its_own_retention_and_log(customer, other_customer, storage):
    extend(customer, 2)
    recording_aged(customer, storage, timedelta(days=45))
    recording_aged(other_customer, storage, timedelta(days=45), size=777)
    retention.retention_run(now=NOW, storage=storage)
    assert ages_left(customer) == [45]
    assert ages_left(other_customer) == []
    assert list(RetentionLog.objects.values_list("customer__prefix", "deleted_count", "deleted_bytes")) == [
        ("drugafirma", 1, 777)
    ]


def test_running_again_deletes_nothing_more(customer, storage):
    recording_aged(customer, storage, timedelta(days=40))
    recording_aged(customer, storage, timedelta(days=10))
    retention.retention_run(now=NOW, storage=storage)
    second = retention.retention_run(now=NOW + timedelta(minutes=5), storage=storage)
    assert ages_left(customer) == [10]
    assert second.deleted_count == 0
    assert RetentionLog.objects.count() == 1


def test_a_missing_file_still_lets_the_row_go(customer, storage):
    recording = recording_aged(customer, storage, timedelta(days=40))
    storage.delete(recording.path)
    retention.retention_run(now=NOW, storage=storage)
    assert not Recording.objects.exists()
    assert RetentionLog.objects.get().deleted_count == 1


def test_deleted_files_disappear_with_their_empty_day_folders(customer, storage):
    recording = recording_aged(customer, storage, timedelta(days=40))
    kept = recording_aged(customer, storage, timedelta(days=1))
    retention.retention_run(now=NOW, storage=storage)
    day_folder = recording.path.rsplit("/", 1)[0]
    assert not storage.exists(day_folder)
    assert storage.exists(kept.path)


class CrashingStorage(LocalRecordingStorage):
    """Deletes like the real storage, then dies after `limit` deletions (a worker killed halfway)."""

    def __init__(self, root, limit):
        super().__init__(root)
        self.limit = limit
        self.deleted = 0

    def delete(self, relative_path):
        if self.deleted >= self.limit:
            raise SystemExit("worker killed")
        self.deleted += 1
        return super().delete(relative_path)


def test_a_run_killed_halfway_is_finished_by_the_next_run_and_the_log_adds_up(customer, other_customer, storage):
    sizes = []
    for index in range(25):
        sizes.append(100 + index)
        recording_aged(customer, storage, timedelta(days=40, minutes=index), size=100 + index)
    recording_aged(other_customer, storage, timedelta(days=50), size=50)
    for index in range(3):
        recording_aged(customer, storage, timedelta(days=5, minutes=index))
    crashing = CrashingStorage(storage.root, limit=10)
    with pytest.raises(SystemExit):
        retention.retention_run(now=NOW, storage=crashing, batch_size=4)
    interrupted = RetentionLog.objects.get(customer=customer)
    assert interrupted.finished_at is None
    assert interrupted.deleted_count == 8  # two whole batches; the third died after deleting two files
    assert Recording.objects.for_customer(customer).count() == 3 + 17

    result = retention.retention_run(now=NOW + timedelta(minutes=30), storage=storage, batch_size=4)
    assert ages_left(customer) == [5, 5, 5]
    assert ages_left(other_customer) == []
    log = RetentionLog.objects.get(customer=customer)  # the same run resumed: still one row
    assert log.run_started_at == interrupted.run_started_at == result.run_started_at
    assert (log.deleted_count, log.deleted_bytes) == (25, sum(sizes))
    assert log.finished_at is not None
    assert RetentionLog.objects.aggregate(total=Sum("deleted_count"))["total"] == 26
    files = list(storage.root.rglob("*.mp3"))
    assert len(files) == 3


def test_what_refers_to_a_deleted_recording_goes_with_it(customer, storage):
    from django.apps import apps

    try:
        confirmation = apps.get_model("recordings", "PushConfirmation")
    except LookupError:
        pytest.skip("no model refers to recordings yet")
    old = recording_aged(customer, storage, timedelta(days=40))
    kept = recording_aged(customer, storage, timedelta(days=1))
    for item in (old, kept):
        confirmation.objects.create(
            customer=customer,
            recording=item,
            target="ftp://example.com",
            remote_path=f"/{item.file_name}",
            size_bytes=item.size_bytes,
            method=confirmation._meta.get_field("method").choices[0][0],
            confirmed_at=NOW,
        )
    retention.retention_run(now=NOW, storage=storage)
    assert list(confirmation.objects.values_list("recording_id", flat=True)) == [kept.pk]


def test_a_storage_that_deletes_many_at_once_is_used(customer, storage):
    calls = []

    class BulkStorage(LocalRecordingStorage):
        def delete_many(self, paths):
            calls.append(list(paths))
            return sum(self.delete(path) for path in paths)

    for days in (40, 41, 42):
        recording_aged(customer, storage, timedelta(days=days))
    retention.retention_run(now=NOW, storage=BulkStorage(storage.root), workers=1)
    assert [len(call) for call in calls] == [3]
    assert not Recording.objects.exists()
    assert not list(storage.root.rglob("*.mp3"))


def test_a_new_day_after_a_finished_run_is_a_new_run(customer, storage):
    recording_aged(customer, storage, timedelta(days=40))
    retention.retention_run(now=NOW, storage=storage)
    recording_aged(customer, storage, timedelta(days=29, hours=12))  # expires during the next day
    retention.retention_run(now=NOW + timedelta(days=1), storage=storage)
    assert RetentionLog.objects.count() == 2
    assert list(RetentionLog.objects.order_by("run_started_at").values_list("deleted_count", flat=True)) == [1, 1]


def test_extending_never_brings_back_what_was_deleted(customer, storage):
    recording_aged(customer, storage, timedelta(days=45))
    retention.retention_run(now=NOW, storage=storage)
    retention_change(customer=customer, total_days=90, now=NOW)
    retention.retention_run(now=NOW + timedelta(minutes=1), storage=storage)
    assert ages_left(customer) == []


def test_the_job_runs_through_a_real_worker(transactional_db, rq, customer, settings, tmp_path):
    from rq import SimpleWorker

    from panel.jobqueue import enqueue_now
    from recordings.jobs import retention as retention_jobs

    settings.RECORDINGS_ROOT = tmp_path / "recordings"
    storage = LocalRecordingStorage(settings.RECORDINGS_ROOT)
    now = datetime.now(tz=UTC)
    recording_aged(customer, storage, timedelta(days=31), now=now)
    recording_aged(customer, storage, timedelta(days=2), now=now)
    queue = rq.get_queue("low")
    job = enqueue_now(retention_jobs.apply_retention)
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    job.refresh()
    assert job.get_status() == "finished"
    assert job.return_value()["deleted"] == 1
    assert Recording.objects.count() == 1


# --- changing the total retention (billing underneath)


def ledger_total(customer) -> Decimal:
    return LedgerEntry.objects.for_customer(customer).exclude(kind="top_up").aggregate(total=Sum("amount_net"))[
        "total"
    ] or Decimal("0.00")


def test_extending_applies_at_once_and_charges_the_rest_of_the_month(customer):
    now = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)  # 21 of June's 30 days left
    plan = retention_change(customer=customer, total_days=90, now=now)
    assert plan.kind == "extend"
    assert retention.retention_days(customer, at=now) == 90
    subscription = Subscription.objects.get(customer=customer, service__code="retention_extension")
    assert (subscription.quantity, subscription.status) == (2, SubscriptionStatus.ACTIVE)
    assert ledger_total(customer) == Decimal("-42.00")  # 60 zł × 21/30


def test_extending_further_charges_only_the_difference(customer):
    first = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)
    retention_change(customer=customer, total_days=90, now=first)
    plan = retention_change(customer=customer, total_days=120, now=datetime(2026, 6, 21, 10, 0, tzinfo=UTC))
    assert plan.charge_now_net == Decimal("10.00")  # 30 zł × 10/30
    assert ledger_total(customer) == Decimal("-52.00")
    running = Subscription.objects.exclude(status=SubscriptionStatus.ENDED).get(customer=customer)
    assert running.quantity == 3
    assert retention.retention_days(customer, at=datetime(2026, 6, 21, 11, 0, tzinfo=UTC)) == 120


def test_shortening_applies_at_the_end_of_the_month_and_charges_nothing_now(customer):
    retention_change(customer=customer, total_days=120, now=datetime(2026, 5, 20, tzinfo=UTC))
    before = ledger_total(customer)
    june = datetime(2026, 6, 20, 10, 0, tzinfo=UTC)
    plan = retention_change(customer=customer, total_days=60, now=june)
    end_of_june = datetime(2026, 6, 30, 22, 0, tzinfo=UTC)  # 1 July 00:00 in Warsaw
    assert plan.kind == "shorten"
    assert plan.takes_effect_at == end_of_june
    assert ledger_total(customer) == before
    assert retention.retention_days(customer, at=end_of_june - timedelta(seconds=1)) == 120
    assert retention.retention_days(customer, at=end_of_june) == 60
    state = retention.retention_state(customer=customer, now=june)
    assert (state.effective_days, state.scheduled_days, state.change_at) == (120, 60, end_of_june)
    # July is charged at the new total only.
    monthly_fees_charge(customer=customer, month=datetime(2026, 7, 1, 8, 0, tzinfo=UTC))
    july = LedgerEntry.objects.for_customer(customer).filter(reason__contains="2026-07", service__isnull=False)
    assert [entry.amount_net for entry in july] == [Decimal("-30.00")]


def test_shortening_to_30_days_cancels_the_extension_at_the_end_of_the_month(customer):
    retention_change(customer=customer, total_days=90, now=datetime(2026, 5, 20, tzinfo=UTC))
    plan = retention_change(customer=customer, total_days=30, now=datetime(2026, 6, 20, tzinfo=UTC))
    subscription = Subscription.objects.get(customer=customer, service__code="retention_extension")
    assert subscription.status == SubscriptionStatus.CANCELLING
    assert subscription.ends_at == plan.takes_effect_at
    assert retention.retention_days(customer, at=plan.takes_effect_at) == 30


def test_going_back_to_the_current_total_before_the_month_ends_undoes_the_shortening(customer):
    retention_change(customer=customer, total_days=120, now=datetime(2026, 5, 20, tzinfo=UTC))
    retention_change(customer=customer, total_days=60, now=datetime(2026, 6, 20, tzinfo=UTC))
    before = ledger_total(customer)
    plan = retention_change(customer=customer, total_days=120, now=datetime(2026, 6, 25, tzinfo=UTC))
    assert plan.kind == "extend"
    assert plan.charge_now_net == Decimal("0.00")
    assert ledger_total(customer) == before
    assert retention.retention_days(customer, at=datetime(2026, 7, 5, tzinfo=UTC)) == 120


def test_choosing_the_current_total_changes_nothing(customer):
    retention_change(customer=customer, total_days=90, now=datetime(2026, 6, 1, tzinfo=UTC))
    count = Subscription.objects.count()
    plan = retention_change(customer=customer, total_days=90, now=datetime(2026, 6, 2, tzinfo=UTC))
    assert plan.kind == "none"
    assert Subscription.objects.count() == count
    assert retention_change(customer=customer, total_days=30, now=datetime(2026, 6, 2, tzinfo=UTC)).kind == "shorten"
    assert retention_change(customer=customer, total_days=30, now=datetime(2026, 6, 3, tzinfo=UTC)).kind == "none"


def test_shortening_says_how_many_recordings_go_and_when(customer, storage):
    retention_change(customer=customer, total_days=90, now=datetime(2026, 5, 1, tzinfo=UTC))
    now = datetime(2026, 6, 20, 10, 0, tzinfo=UTC)
    end_of_june = datetime(2026, 6, 30, 22, 0, tzinfo=UTC)
    for days in (20, 29, 31, 59, 61, 89, 95):  # age on 1 July
        recording_aged(customer, storage, timedelta(days=days), now=end_of_june)
    plan = retention.retention_change_plan(customer=customer, total_days=30, now=now)
    assert (plan.deleted_count, plan.deleted_on.isoformat()) == (4, "2026-07-01")  # 31, 59, 61, 89 days old
    assert retention.retention_change_plan(customer=customer, total_days=60, now=now).deleted_count == 2
    forecasts = retention.deletion_forecasts(customer=customer, at=end_of_june, old_days=90)
    assert forecasts == {30: 4, 60: 2}


def test_longer_retention_needs_recording_switched_on(other_customer):
    with pytest.raises(ValidationError, match="nagrywanie"):
        retention_change(customer=other_customer, total_days=60, now=NOW)
    assert not Subscription.objects.filter(customer=other_customer).exists()


def test_a_total_that_is_not_offered_is_refused(customer):
    with pytest.raises(ValueError):
        retention_change(customer=customer, total_days=45, now=NOW)
