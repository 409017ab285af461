"""Benchmark of the retention job (issue 6, "bench/ftp": the retention part): time to delete N recordings.

Inserts N expired recordings (rows spread over several customers, 40 to 400
days old, so every one is past the default 30-day retention) plus a few recent
ones that must survive, optionally with tiny files on disk, then times the real
job (`recordings.retention.retention_run`: files through the storage, rows in
batches, the per-customer log) and, as the baseline, a bare
`DELETE FROM recordings_recording WHERE started_at < cutoff` of the same rows
(inserted again). It prints both, the ratio, and checks the target: 1 million
recordings in under 5 minutes (for a smaller N, extrapolated from the rate).

The database is a throwaway SQLite file (the default: your development
database is not touched) or the one in DATABASE_URL (e.g. PostgreSQL), where
throwaway customers are created and removed afterwards. Files go to a
throwaway folder.

    python bench/recordings_retention.py [--rows 100000] [--customers 20] [--files tiny|none] [--batch 1000]
    python bench/recordings_retention.py --rows 1000000 --files none
    DATABASE_URL=postgres://... python bench/recordings_retention.py --rows 1000000
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PREFIX = "benchret"
TARGET_ROWS = 1_000_000
TARGET_SECONDS = 300.0
KEPT_PER_CUSTOMER = 5
COLUMNS = (
    "customer_id",
    "call_id",
    "started_at",
    "direction",
    "caller",
    "callee",
    "path",
    "size_bytes",
    "sha256",
    "duration_seconds",
    "created_at",
)


def setup_django(work: Path, files_root: Path) -> str:
    os.environ.setdefault("CENTRALA_VAR_DIR", str(work / "var"))
    os.environ["RECORDINGS_ROOT"] = str(files_root)
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
        description = "SQLite (throwaway file)"
    else:
        description = "DATABASE_URL"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "centrala.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    return f"{description}, {connection.vendor}"


def make_customers(count: int) -> list:
    from panel.models import Customer

    Customer.objects.filter(prefix__startswith=PREFIX).delete()
    return [Customer.objects.create(name=f"Bench {n}", prefix=f"{PREFIX}{n}") for n in range(count)]


def rows_for(customers, *, rows: int, now: datetime, tag: str):
    """Tuples in COLUMNS order: `rows` expired recordings round-robin over the customers, then a few recent ones."""
    oldest = timedelta(days=400)
    step = (oldest - timedelta(days=40)) / max(rows, 1)
    for n in range(rows):
        customer = customers[n % len(customers)]
        started = now - oldest + step * n
        yield _row(customer, started, f"{tag}{n}")
    for customer in customers:
        for n in range(KEPT_PER_CUSTOMER):
            yield _row(customer, now - timedelta(days=1, minutes=n), f"{tag}keep{customer.pk}-{n}")


def _row(customer, started: datetime, call_id: str) -> tuple:
    day = started.strftime("%Y/%m/%d")
    path = f"{customer.prefix}/{day}/{started:%Y-%m-%d_%H-%M-%S}_in_48600100200_10_{call_id}.mp3"
    return (customer.pk, call_id, started, "in", "48600100200", "10", path, 10, "0" * 64, "12.500", started)


def insert(rows, *, total: int) -> list[str]:
    """Bulk-insert the rows; returns their paths (for the files)."""
    from django.db import connection, transaction
    from django.db.models import DateTimeField

    from recordings.models import Recording

    table = Recording._meta.db_table
    adapt = DateTimeField().get_db_prep_value
    placeholders = ", ".join(["%s"] * len(COLUMNS))
    statement = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({placeholders})"  # noqa: S608 (constants)
    paths, chunk, done = [], [], 0
    started = time.perf_counter()

    def flush():
        nonlocal chunk, done
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(statement, chunk)
        done += len(chunk)
        chunk = []
        print(f"\r  inserted {done:,} of {total:,}", end="", flush=True)

    for row in rows:
        paths.append(row[6])
        chunk.append(tuple(adapt(value, connection) if isinstance(value, datetime) else value for value in row))
        if len(chunk) == 20_000:
            flush()
    if chunk:
        flush()
    print(f"\r  inserted {done:,} rows in {time.perf_counter() - started:.1f} s{' ' * 20}")
    return paths


def bulk_storage_class():
    """The local storage with the `delete_many` proposed for recordings/storage.py (see the issue-6 report).

    It checks each path's text as `delete` does, but resolves each folder's
    real path once per call instead of three real paths per file, and prunes
    emptied folders once at the end.
    """
    from recordings.storage import LocalRecordingStorage, UnsafePath, clean_relative_path

    class BulkDeleteStorage(LocalRecordingStorage):
        def delete_many(self, relative_paths) -> int:
            root = os.path.realpath(self.root)
            tops: dict[str, str] = {}
            folders: dict[str, str] = {}
            emptied: set[str] = set()
            deleted = 0
            for relative_path in relative_paths:
                folder, _, name = clean_relative_path(relative_path).rpartition("/")
                if not folder:
                    raise UnsafePath("a recording must live inside a customer's folder")
                real_folder = folders.get(folder)
                if real_folder is None:
                    top_name = folder.split("/", 1)[0]
                    top = tops.setdefault(top_name, os.path.realpath(os.path.join(root, top_name)))
                    real_folder = os.path.realpath(os.path.join(root, folder))
                    if real_folder != top and not real_folder.startswith(top + os.sep):
                        raise UnsafePath("the path leads out of its folder")
                    folders[folder] = real_folder
                try:
                    os.unlink(os.path.join(real_folder, name))  # a link is removed itself, never its target
                except FileNotFoundError:
                    continue
                deleted += 1
                emptied.add(folder)
            for folder in sorted(emptied, key=lambda item: item.count("/"), reverse=True):
                parts = folder.split("/")
                while len(parts) > 1:
                    try:
                        os.rmdir(folders.get("/".join(parts)) or os.path.join(root, *parts))
                    except OSError:
                        break
                    parts.pop()
            return deleted

    return BulkDeleteStorage


def write_files(root: Path, paths: list[str]) -> None:
    started = time.perf_counter()
    folders = set()
    for count, relative in enumerate(paths, start=1):
        target = root / relative
        if target.parent not in folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            folders.add(target.parent)
        target.write_bytes(b"ID3tinymp3")
        if count % 50_000 == 0:
            print(f"\r  wrote {count:,} files", end="", flush=True)
    print(f"\r  wrote {len(paths):,} tiny files in {time.perf_counter() - started:.1f} s{' ' * 20}")


def run(options) -> int:
    work = Path(tempfile.mkdtemp(prefix="centrala-bench-retention-"))
    files_root = Path(tempfile.mkdtemp(prefix="centrala-bench-recordings-", dir=options.files_dir))
    try:
        description = setup_django(work, files_root)
        return measure(options, work, description)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(files_root, ignore_errors=True)


def measure(options, work: Path, description: str) -> int:
    from django.db import connection
    from django.db.models import Sum

    from panel.models import Customer
    from recordings import retention
    from recordings.models import Recording, RetentionLog
    from recordings.storage import get_storage

    print(f"Retention job benchmark: {options.rows:,} expired recordings, {options.customers} customers, {description}")
    print(f"  files: {options.files} under {os.environ['RECORDINGS_ROOT']}")
    print(f"  batch size {options.batch}, {options.workers} threads deleting files")
    if options.bulk_delete:
        print("  storage: with the proposed delete_many (not yet in recordings/storage.py)")
    now = datetime.now(tz=UTC)
    customers = make_customers(options.customers)
    try:
        total = options.rows + KEPT_PER_CUSTOMER * len(customers)
        paths = insert(rows_for(customers, rows=options.rows, now=now, tag="r"), total=total)
        storage = bulk_storage_class()(os.environ["RECORDINGS_ROOT"]) if options.bulk_delete else get_storage()
        if options.files == "tiny":
            write_files(Path(os.environ["RECORDINGS_ROOT"]), paths)
        del paths

        started = time.perf_counter()
        result = retention.retention_run(now=now, storage=storage, batch_size=options.batch, workers=options.workers)
        job_seconds = time.perf_counter() - started
        left = Recording.objects.filter(customer__in=customers).count()
        logged = RetentionLog.objects.filter(customer__in=customers).aggregate(total=Sum("deleted_count"))["total"]
        assert left == KEPT_PER_CUSTOMER * len(customers), f"{left} rows left"
        assert logged == options.rows == result.deleted_count, (logged, result.deleted_count)
        if options.files == "tiny":
            remaining = sum(1 for path in Path(os.environ["RECORDINGS_ROOT"]).rglob("*.mp3"))
            assert remaining == KEPT_PER_CUSTOMER * len(customers), f"{remaining} files left"

        insert(rows_for(customers, rows=options.rows, now=now, tag="b"), total=total)
        cutoff = retention.retention_cutoff(now, retention.BASE_DAYS)
        table = Recording._meta.db_table
        started = time.perf_counter()
        with connection.cursor() as cursor:
            placeholders = ", ".join(["%s"] * len(customers))
            cursor.execute(
                f"DELETE FROM {table} WHERE customer_id IN ({placeholders}) AND started_at < %s",  # noqa: S608
                [*[customer.pk for customer in customers], cutoff],
            )
            deleted = cursor.rowcount
        baseline_seconds = time.perf_counter() - started
        assert deleted == options.rows, deleted
    finally:
        ids = [customer.pk for customer in customers]
        Recording.objects.filter(customer_id__in=ids).delete()
        Customer.objects.filter(pk__in=ids).delete()

    rate = options.rows / job_seconds
    projected = TARGET_ROWS / rate
    print()
    print(f"  retention job:  {job_seconds:8.2f} s  ({rate:,.0f} recordings/s, files and rows, logged per customer)")
    print(f"  bare DELETE:    {baseline_seconds:8.2f} s  ({options.rows / baseline_seconds:,.0f} rows/s, rows only)")
    print(f"  ratio job / bare DELETE: {job_seconds / baseline_seconds:.1f}×")
    label = "measured" if options.rows >= TARGET_ROWS else "projected from this rate"
    verdict = "OK" if projected <= TARGET_SECONDS else "MISSED"
    print(
        f"  target: {TARGET_ROWS:,} recordings in under {TARGET_SECONDS:.0f} s; {label}: {projected:.0f} s → {verdict}"
    )
    return 0 if projected <= TARGET_SECONDS else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--rows", type=int, default=100_000, help="expired recordings to delete (default 100000)")
    parser.add_argument("--customers", type=int, default=20, help="customers they are spread over (default 20)")
    parser.add_argument(
        "--files", choices=("tiny", "none"), default="tiny", help="a 10-byte file per recording, or none at all"
    )
    parser.add_argument("--batch", type=int, default=1000, help="the job's batch size (default 1000)")
    parser.add_argument("--workers", type=int, default=8, help="threads deleting files (default 8, as the job)")
    parser.add_argument(
        "--bulk-delete", action="store_true", help="use the storage's proposed delete_many (defined in this script)"
    )
    parser.add_argument(
        "--files-dir", default=None, help="where the throwaway recordings folder goes (default: the system's temp)"
    )
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
