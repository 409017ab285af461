"""The recordings page: the 30-day window, filters, streaming with Range, deleting, ZIPs, the retention section."""

import io
import logging
import zipfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from billing.models import Subscription
from recordings import zipper
from recordings.models import Recording
from recordings.storage import get_storage
from recordings.testing import random_audio_bytes
from recordings.tests import factories

pytestmark = pytest.mark.django_db

LIST = reverse("recordings:list")


@pytest.fixture
def storage(settings, tmp_path):
    settings.RECORDINGS_ROOT = tmp_path / "recordings"
    return get_storage()


def recording(customer, storage, *, age=timedelta(hours=2), size=5000, seed=1, **fields):
    fields.setdefault("call_id", f"call-{seed}-{age.total_seconds():.0f}")
    return factories.recording(
        customer,
        started_at=timezone.now() - age,
        content=random_audio_bytes(size, seed=seed),
        storage=storage,
        **fields,
    )


def body(response) -> bytes:
    return b"".join(response.streaming_content)


# --- the list


def test_list_shows_only_the_last_30_days_older_ones_stay_on_ftp(client_user, customer, storage):
    fresh = recording(customer, storage, age=timedelta(days=29), caller="48600100200")
    old = recording(customer, storage, age=timedelta(days=31), caller="48700700700")
    response = client_user.get(LIST)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in page and "Nagrania rozmów" in page
    assert "48600100200" in page
    assert "48700700700" not in page
    assert "dostępne tylko przez FTP" in page
    assert storage.exists(old.path)  # still on disk, so still over FTP
    assert "firmaabcde" in storage.local_path(old.path).parts
    assert client_user.get(reverse("recordings:play", args=[old.pk])).status_code == 404
    assert client_user.get(reverse("recordings:play", args=[fresh.pk])).status_code == 200


def test_list_shows_date_direction_numbers_duration_size_player_and_links(client_user, customer, storage):
    item = recording(customer, storage, size=2 * 1024 * 1024, direction="out", caller="10", callee="48501222333")
    page = client_user.get(LIST).content.decode()
    assert "wychodzące" in page.lower() or "wychodzące" in page
    assert "0:12" in page  # 12.5 s
    assert "2,0\xa0MB" in page or "2,0 MB" in page
    assert f'src="{reverse("recordings:play", args=[item.pk])}"' in page
    assert reverse("recordings:download", args=[item.pk]) in page
    assert reverse("recordings:delete", args=[item.pk]) in page


def test_list_of_another_customer_shows_none_of_mine(client_other, customer, storage):
    recording(customer, storage, caller="48600100200")
    page = client_other.get(LIST).content.decode()
    assert "48600100200" not in page
    assert "Brak nagrań z ostatnich 30 dni" in page


def test_filters_by_number_direction_and_dates(client_user, customer, storage):
    recording(customer, storage, age=timedelta(days=1), caller="48600100200", direction="in", seed=1)
    recording(customer, storage, age=timedelta(days=5), caller="48711222333", direction="out", seed=2)
    assert "48711222333" not in client_user.get(LIST, {"q": "600 100"}).content.decode()
    assert "48600100200" in client_user.get(LIST, {"q": "600 100"}).content.decode()
    assert "48600100200" not in client_user.get(LIST, {"direction": "out"}).content.decode()
    day = (timezone.localtime() - timedelta(days=5)).date().isoformat()
    page = client_user.get(LIST, {"date_from": day, "date_to": day}).content.decode()
    assert "48711222333" in page and "48600100200" not in page


def test_a_reversed_date_range_is_an_error_not_a_500(client_user, customer, storage):
    response = client_user.get(LIST, {"date_from": "2026-05-10", "date_to": "2026-05-01"})
    assert response.status_code == 200
    assert "Data końcowa jest wcześniejsza niż początkowa" in response.content.decode()
    response = client_user.get(LIST, {"date_from": "not-a-date"})
    assert response.status_code == 200


def test_list_is_paginated_by_25(client_user, customer, storage):
    for index in range(26):
        recording(customer, storage, age=timedelta(minutes=10 + index), seed=index, size=10)
    first = client_user.get(LIST).content.decode()
    second = client_user.get(LIST, {"page": 2}).content.decode()
    assert first.count("data-recording=") == 25
    assert second.count("data-recording=") == 1
    assert "Strona 1 z 2" in first


# --- streaming with Range


@pytest.fixture
def item(customer, storage):
    return recording(customer, storage, size=1000, seed=7)


def test_play_streams_the_whole_file_inline(client_user, item, storage):
    response = client_user.get(reverse("recordings:play", args=[item.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/mpeg"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == "1000"
    assert response["Content-Disposition"].startswith("inline")
    assert body(response) == storage.local_path(item.path).read_bytes()


def test_download_is_an_attachment_with_the_file_name(client_user, item):
    response = client_user.get(reverse("recordings:download", args=[item.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{item.file_name}"'


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [("bytes=0-99", 0, 99), ("bytes=900-", 900, 999), ("bytes=-50", 950, 999), ("bytes=990-5000", 990, 999)],
)
def test_range_requests_answer_206_with_the_part(client_user, item, storage, header, first, last):
    response = client_user.get(reverse("recordings:play", args=[item.pk]), headers={"Range": header})
    content = storage.local_path(item.path).read_bytes()
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/1000"
    assert response["Content-Length"] == str(last - first + 1)
    assert body(response) == content[first : last + 1]


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5000-6000", "bytes=50-10", "bytes=abc", "bytes=-0"])
def test_unsatisfiable_or_malformed_ranges_answer_416(client_user, item, header):
    response = client_user.get(reverse("recordings:download", args=[item.pk]), headers={"Range": header})
    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */1000"


def test_several_ranges_or_another_unit_get_the_whole_file(client_user, item):
    url = reverse("recordings:play", args=[item.pk])
    assert client_user.get(url, headers={"Range": "bytes=0-1,5-6"}).status_code == 200
    assert client_user.get(url, headers={"Range": "items=0-1"}).status_code == 200


def test_if_range_with_another_version_gets_the_whole_file(client_user, item):
    url = reverse("recordings:play", args=[item.pk])
    stale = client_user.get(url, headers={"Range": "bytes=0-9", "If-Range": '"other"'})
    fresh = client_user.get(url, headers={"Range": "bytes=0-9", "If-Range": f'"{item.sha256}"'})
    assert (stale.status_code, fresh.status_code) == (200, 206)


def test_another_customers_recording_is_404_also_with_a_range(client_other, item):
    for name in ("recordings:play", "recordings:download", "recordings:delete"):
        assert client_other.get(reverse(name, args=[item.pk]), headers={"Range": "bytes=0-9"}).status_code == 404


def test_a_file_missing_on_disk_is_404_not_500(client_user, item, storage):
    storage.delete(item.path)
    assert client_user.get(reverse("recordings:play", args=[item.pk])).status_code == 404


def test_logged_out_visitor_is_sent_to_the_log_in(client, item):
    response = client.get(reverse("recordings:play", args=[item.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- deleting


def test_delete_asks_first_then_deletes_file_and_row_and_logs_who(client_user, item, storage, caplog):
    url = reverse("recordings:delete", args=[item.pk])
    confirm = client_user.get(url)
    assert confirm.status_code == 200
    assert "nie da się go przywrócić" in confirm.content.decode()
    assert Recording.objects.filter(pk=item.pk).exists()
    with caplog.at_level(logging.INFO, logger="recordings.deletion"):
        response = client_user.post(url)
    assert response.status_code == 302 and response["Location"] == LIST
    assert not Recording.objects.filter(pk=item.pk).exists()
    assert not storage.exists(item.path)
    # The FTP server lists the storage: the day folder of the only recording is gone as well.
    assert storage.listdir("firmaabcde") == []
    assert "customer=firmaabcde user=demo" in caplog.text
    assert client_user.post(url).status_code == 404


def test_another_customer_cannot_delete(client_other, item, storage):
    assert client_other.post(reverse("recordings:delete", args=[item.pk])).status_code == 404
    assert storage.exists(item.path)


# --- ZIP


def zip_names(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_days_recordings_stream_as_one_zip_in_the_ftp_layout(client_user, customer, other_customer, storage):
    today = [recording(customer, storage, age=timedelta(minutes=5 + n), seed=n, size=3000) for n in range(3)]
    recording(customer, storage, age=timedelta(days=3), seed=9)
    recording(other_customer, storage, age=timedelta(minutes=5), seed=10)
    day = timezone.localtime(today[0].started_at).date().isoformat()
    response = client_user.post(reverse("recordings:zip"), {"day": day})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f"nagrania_{day}.zip" in response["Content-Disposition"]
    files = zip_names(body(response))
    assert set(files) == {item.path.split("/", 1)[1] for item in today}
    for item in today:
        assert files[item.path.split("/", 1)[1]] == storage.local_path(item.path).read_bytes()


def test_a_filtered_set_streams_as_zip(client_user, customer, storage):
    wanted = recording(customer, storage, caller="48600100200", seed=1)
    recording(customer, storage, caller="48700100200", seed=2, age=timedelta(hours=3))
    response = client_user.post(reverse("recordings:zip"), {"q": "600100"})
    assert set(zip_names(body(response))) == {wanted.path.split("/", 1)[1]}


def test_zip_of_nothing_says_so(client_user, customer, storage):
    response = client_user.post(reverse("recordings:zip"), {"q": "999"}, follow=True)
    assert "nie ma czego pobrać" in response.content.decode()


def test_zip_leaves_out_recordings_older_than_30_days(client_user, customer, storage):
    recording(customer, storage, age=timedelta(days=31), seed=1)
    response = client_user.post(reverse("recordings:zip"), {}, follow=True)
    assert "nie ma czego pobrać" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_large_set_is_zipped_by_a_job_with_progress_then_offered(client, user, customer, storage, rq, monkeypatch):
    from rq import SimpleWorker

    client.force_login(user)
    monkeypatch.setattr(zipper, "STREAM_MAX_FILES", 2)
    items = [recording(customer, storage, age=timedelta(minutes=5 + n), seed=n, size=2000) for n in range(4)]
    response = client.post(reverse("recordings:zip"), {})
    assert response.status_code == 302
    page = client.get(LIST).content.decode()
    assert "Czeka w kolejce" in page
    assert 'hx-get="/recordings/zip/status/"' in page

    queue = rq.get_queue("low")
    job = queue.jobs[0]
    assert job.meta["customer_id"] == customer.pk
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    job.refresh()
    assert job.get_status() == "finished"
    assert (job.meta["done"], job.meta["total"]) == (4, 4)

    status = client.get(reverse("recordings:export_status")).content.decode()
    assert "Pobierz ZIP" in status and "hx-get" not in status
    name = zipper.export_list(storage, customer.prefix)[0].name
    download = client.get(reverse("recordings:export_download", args=[name]))
    assert download.status_code == 200
    assert set(zip_names(body(download))) == {item.path.split("/", 1)[1] for item in items}
    # The ZIP lives outside the customer's FTP tree.
    assert "_exports" not in [entry.name for entry in storage.listdir(customer.prefix)]
    assert zipper.export_path(customer.prefix, name).startswith("_exports/")


def test_exports_are_deleted_after_a_day(storage, customer):
    import os

    path = zipper.export_path(customer.prefix, "recordings_old.zip")
    storage.save_atomic(path, io.BytesIO(b"zip"))
    storage.save_atomic(zipper.export_path(customer.prefix, "recordings_new.zip"), io.BytesIO(b"zip"))
    old = (timezone.now() - timedelta(hours=25)).timestamp()
    os.utime(storage.local_path(path), (old, old))
    assert zipper.exports_cleanup(storage) == 1
    assert [entry.name for entry in zipper.export_list(storage, customer.prefix)] == ["recordings_new.zip"]


def test_export_names_cannot_leave_the_customers_exports(client_user, customer, other_customer, storage):
    storage.save_atomic(zipper.export_path(other_customer.prefix, "recordings_theirs.zip"), io.BytesIO(b"zip"))
    assert client_user.get(reverse("recordings:export_download", args=["recordings_theirs.zip"])).status_code == 404
    for name in ("..", "recordings_x.txt", "..%2Fdrugafirma%2Frecordings_theirs.zip"):
        assert client_user.get(f"/recordings/zip/{name}/").status_code == 404


# --- the retention section


def test_retention_section_shows_the_totals_and_every_choice(client_user, customer, storage):
    page = client_user.get(LIST).content.decode()
    assert "Łączny czas przechowania" in page
    assert "Łączna miesięczna opłata" in page
    assert page.count('<option value="') >= 24 + 4  # the retention choices plus the direction filter
    assert 'value="720"' in page and "720 dni (24 miesiące)" in page
    assert 'data-net="60,00"' in page and 'data-gross="73,80"' in page  # 90 days: 2 × 30 zł
    assert "nie spowoduje przywrócenia już usuniętych nagrań" in page


def test_retention_change_goes_through_the_cost_confirmation(client_user, customer, storage):
    url = reverse("recordings:retention")
    confirmation = client_user.post(url, {"total_days": 90})
    page = confirmation.content.decode()
    assert confirmation.status_code == 200
    assert "Wyrażam zgodę na obciążenie mnie kosztami" in page or "obciążenie" in page
    assert "60,00" in page and "73,80" in page
    assert not Subscription.objects.filter(service__code="retention_extension").exists()

    declined = client_user.post(url, {"total_days": 90, "confirm": "no"})
    assert declined.status_code == 302
    assert not Subscription.objects.filter(service__code="retention_extension").exists()

    accepted = client_user.post(url, {"total_days": 90, "confirm": "yes"}, follow=True)
    assert "przechowywane przez 90 dni" in accepted.content.decode()
    subscription = Subscription.objects.get(service__code="retention_extension")
    assert subscription.quantity == 2


@time_machine.travel(datetime(2026, 3, 11, 12, 0, tzinfo=UTC), tick=False)
def test_shortening_shows_how_many_recordings_are_deleted_and_when(client_user, customer, storage):
    """Mid-March: the shorter retention applies from 1 April, when the 40- and 50-day-old recordings are gone but
    the 5-day-old one is not (in the first days of a month it would be 30 days old by then)."""
    from recordings.services import retention_change

    customer.created_at = datetime(2025, 1, 1, tzinfo=UTC)
    customer.save()
    retention_change(customer=customer, total_days=90, now=timezone.now() - timedelta(days=70))
    for days in (40, 50, 5):
        recording(customer, storage, age=timedelta(days=days), seed=days)
    page = client_user.post(reverse("recordings:retention"), {"total_days": 30}).content.decode()
    assert 'data-testid="retention-deletion-warning"' in page
    assert "2 nagrania zostaną usunięte" in page
    assert Subscription.objects.get(service__code="retention_extension").quantity == 2
    client_user.post(reverse("recordings:retention"), {"total_days": 30, "confirm": "yes"})
    assert Recording.objects.count() == 3  # nothing deleted before the end of the period


def test_invalid_retention_is_a_form_error(client_user, customer):
    response = client_user.post(reverse("recordings:retention"), {"total_days": 45})
    assert response.status_code == 200
    assert "Wybierz poprawną wartość" in response.content.decode()
    assert client_user.get(reverse("recordings:retention")).status_code == 200


def test_retention_needs_recording_switched_on(client_other, other_customer):
    page = client_other.get(LIST).content.decode()
    assert "Nagrywanie rozmów jest wyłączone" in page
    response = client_other.post(reverse("recordings:retention"), {"total_days": 60, "confirm": "yes"})
    assert response.status_code == 200
    assert "Najpierw włącz nagrywanie rozmów" in response.content.decode()
    assert not Subscription.objects.filter(customer=other_customer).exists()


def test_recording_fee_counts_in_the_total_monthly_fee(client_other, other_customer):
    from billing.models import Service
    from billing.services import service_activate

    service_activate(customer=other_customer, service=Service.objects.get(code="recording"))
    page = client_other.get(LIST).content.decode()
    assert f'data-net="{Decimal("79.00")}"'.replace(".", ",") in page  # 49 zł recording + 30 zł for 60 days
