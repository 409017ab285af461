"""Benchmark of rating (issue 5, "bench/billing"): the rating half.

1. The pure rating function (billing.rating: longest prefix, billing periods,
   rounding) in legs per second on one core with a 60,000-prefix tariff, next
   to the bare longest-prefix loop over the same numbers as the baseline.
   Target: at least 100,000 legs per second.
2. Rating end to end through the real job (billing.jobs.rating.rate_call_records,
   the function an RQ worker runs: reads, prices, writes legs, records and
   ledger entries) in records per second, next to the same baseline.
   Target: at least 20,000 records per second per worker.

Figures are wall-clock; on a busy machine compare them with the baseline
printed next to them (and the CPU time of the job and of the database). The
end-to-end run is repeated (--repeat, each time on new pending records) and
the median is compared with the target.

The database is a throwaway SQLite file (the default engine; your development
database is not touched), or the one in DATABASE_URL (e.g. PostgreSQL), where
a throwaway customer and tariff are created and removed afterwards:

    python bench/billing_rating.py [--prefixes 60000] [--legs 300000] [--records 50000] [--repeat 3]
    bash tests/with_postgres.sh .venv/bin/python bench/billing_rating.py   # on a throwaway PostgreSQL
"""

from __future__ import annotations

import argparse
import atexit
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from billing.rating import LegToRate, PrefixTable, Rate, rate_call, vat_basis_points  # noqa: E402

PURE_TARGET = 100_000
END_TO_END_TARGET = 20_000


def make_rates(rng: random.Random, count: int) -> list[Rate]:
    """A tariff like a wholesale carrier's: country codes and ranges of 2 to 9 digits, plus a world default."""
    prefixes = {"+"}
    while len(prefixes) < count:
        digits = str(rng.randint(1, 9)) + "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 8)))
        prefixes.add("+" + digits)
    periods = [(1, 1), (60, 60), (30, 6), (60, 1)]
    return [
        Rate(
            prefix,
            f"Kierunek {prefix[:4]}",
            Decimal(rng.randint(100, 30_000)) / 10_000,
            Decimal(rng.choice([0, 0, 0, 500])) / 10_000,
            *rng.choice(periods),
        )
        for prefix in sorted(prefixes)
    ]


def make_numbers(rng: random.Random, count: int) -> list[str]:
    return ["+" + str(rng.randint(1, 9)) + "".join(rng.choice("0123456789") for _ in range(10)) for _ in range(count)]


def bare_longest_prefix_loop(numbers: list[str], by_prefix: dict, lengths: list[int]) -> float:
    """The baseline: only the dictionary probes of the longest-prefix match, nothing else."""
    started = time.perf_counter()
    for number in numbers:
        for length in lengths:
            if by_prefix.get(number[:length]) is not None:
                break
    return time.perf_counter() - started


def bench_pure(prefix_count: int, leg_count: int) -> float:
    rng = random.Random(5)
    rates = make_rates(rng, prefix_count)
    table = PrefixTable(rates)
    numbers = make_numbers(rng, leg_count)
    legs = [(LegToRate(0, number, rng.randint(0, 900)),) for number in numbers]
    vat = vat_basis_points(Decimal("23"))
    by_prefix = {rate.prefix: rate for rate in rates}
    lengths = sorted({len(prefix) for prefix in by_prefix}, reverse=True)

    baseline = min(bare_longest_prefix_loop(numbers, by_prefix, lengths) for _ in range(3))
    lookup = min(_timed(lambda: [table.lookup(number) for number in numbers]) for _ in range(3))
    priced = min(_timed(lambda: [rate_call(call, table, vat) for call in legs]) for _ in range(3))
    base_rate = leg_count / baseline
    print(f"Pure rating, {len(rates):,} prefixes, {leg_count:,} legs, one core (best of 3):")
    print(f"  bare longest-prefix loop (baseline) {base_rate:>12,.0f} lookups/s")
    print(f"  PrefixTable.lookup                  {leg_count / lookup:>12,.0f} lookups/s")
    verdict = "ok" if leg_count / priced >= PURE_TARGET else "BELOW TARGET"
    print(
        f"  rate_call (price a leg, whole call)  {leg_count / priced:>12,.0f} legs/s   "
        f"= {baseline / priced:.2f} × baseline; target {PURE_TARGET:,}/s: {verdict}"
    )
    return base_rate


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def setup_django() -> str:
    if not os.environ.get("DATABASE_URL"):
        directory = tempfile.mkdtemp(prefix="centrala-bench-")
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        path = Path(directory) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        description = f"SQLite (throwaway file {path})"
    else:
        description = "DATABASE_URL"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "centrala.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    settings.DEBUG = False  # as in production: with DEBUG the cursor also logs every query it runs
    return f"{description}, {connection.vendor}"


def create_calls(customer, rng: random.Random, count: int, tag: str = "") -> int:
    """`count` pending calls of `customer`, written with the rating service's raw bulk insert (Django's
    bulk_create would take longer than the rating). 70% outgoing, 20% incoming, 10% forwarded out."""
    from django.db import connection

    from billing.choices import LegKind
    from billing.models import CallLeg, CallRecord
    from billing.rating_service.bulk import bulk_insert

    prep = CallRecord._meta.get_field("started_at").get_db_prep_save
    start = datetime(2025, 1, 6, 8, 0, tzinfo=ZoneInfo("Europe/Warsaw"))
    received = prep(start + timedelta(days=30), connection)
    numbers = make_numbers(rng, count)
    kinds = rng.choices([LegKind.OUTBOUND, LegKind.INBOUND, LegKind.FORWARD], weights=[70, 20, 10], k=count)
    record_fields = ["customer", "call_id", "started_at", "answered_at", "ended_at", "direction", "caller", "callee"]
    record_fields += ["extension", "queue_number", "disposition", "talk_seconds", "rating_status", "rating_error"]
    record_fields += ["created_at"]
    leg_fields = ["call", "index", "kind", "source", "destination", "started_at", "answered_at", "ended_at"]
    leg_fields += ["billable", "billed_seconds", "destination_name"]
    for offset in range(0, count, 10_000):
        records, legs = [], {}
        for index in range(offset, min(offset + 10_000, count)):
            began = start + timedelta(seconds=7 * index)
            talk = rng.randint(0, 900)
            answered = began + timedelta(seconds=5) if talk else None
            ended = (answered or began) + timedelta(seconds=talk or 20)
            times = prep(began, connection), answered and prep(answered, connection), prep(ended, connection)
            kind, number, call_id = kinds[index], numbers[index], f"bench-{tag}{index}"
            direction = "out" if kind == LegKind.OUTBOUND else "in"
            disposition = "answered" if talk else "no_answer"
            records.append((customer.pk, call_id, *times, direction, "10", number, "10", "", disposition, talk))
            records[-1] += ("pending", "", received)
            legs[call_id] = (kind, number, times)
        bulk_insert(CallRecord, record_fields, records)
        ids = dict(CallRecord.objects.filter(customer=customer, call_id__in=legs).values_list("call_id", "pk"))
        rows = []
        for call_id, (kind, number, times) in legs.items():
            if kind == LegKind.FORWARD:
                rows.append((ids[call_id], 0, LegKind.INBOUND.value, number, "+48943401128", *times, False, 0, ""))
            index = 1 if kind == LegKind.FORWARD else 0
            billable = kind != LegKind.INBOUND
            rows.append((ids[call_id], index, kind.value, "+48943401128", number, *times, billable, 0, ""))
        bulk_insert(CallLeg, leg_fields, rows)
    return count


def database_cpu() -> float | None:
    """CPU seconds used so far by the PostgreSQL server's processes (every backend, those that ended too, and the
    background writers), when the server runs on this machine (read from /proc); None otherwise. With it the
    figures say how the time splits between worker and database, whatever connections the job opened."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    try:
        postmaster = int(_proc_stat(backend)[1])
        fields = _proc_stat(postmaster)
        total = int(fields[13]) + int(fields[14])  # children that ended: cutime + cstime
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    child = _proc_stat(int(entry.name))
                except OSError:
                    continue
                if int(child[1]) == postmaster:
                    total += int(child[11]) + int(child[12])  # utime + stime
    except OSError:
        return None
    return total / os.sysconf("SC_CLK_TCK")


def _proc_stat(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name: state, ppid, ... (utime is [11], stime [12])."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def bench_end_to_end(prefix_count: int, record_count: int, baseline_rate: float, repeat: int = 3) -> None:
    from django.db import connection

    from billing.choices import RatingStatus
    from billing.jobs.rating import rate_call_records
    from billing.models import CallLeg, CallRecord, LedgerEntry, Tariff, TariffRate
    from billing.rating_service.bulk import bulk_insert
    from panel.models import Customer

    rng = random.Random(7)
    tag = f"{int(time.time())}{rng.randint(100, 999)}"
    started = time.perf_counter()
    tariff = Tariff.objects.create(name=f"Bench {tag}")
    rate_fields = ["tariff", "prefix", "destination", "price_per_minute", "connection_fee", "first_increment"]
    rate_fields.append("next_increment")
    bulk_insert(
        TariffRate,
        rate_fields,
        [
            (tariff.pk, rate.prefix, rate.destination, rate.price_per_minute, rate.connection_fee, *periods)
            for rate in make_rates(rng, prefix_count)
            for periods in [(rate.first_increment, rate.next_increment)]
        ],
    )
    customer = Customer.objects.create(name="Bench rating", prefix=f"bench{tag}", tariff=tariff)
    rates = []
    try:
        print(
            f"\nEnd to end through the real job ({connection.vendor}): {record_count:,} pending records a run "
            f"(70% out, 20% in, 10% forwarded), {prefix_count:,}-prefix tariff, {repeat} run(s)"
        )
        for run in range(repeat):
            started = time.perf_counter()
            created = create_calls(customer, rng, record_count, tag=f"{run}-")
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # statistics as a live database has them, so the planner uses the indexes
            set_up = time.perf_counter() - started
            charges_before = LedgerEntry.objects.filter(customer=customer).count()
            started, cpu_started, server_started = time.perf_counter(), time.process_time(), database_cpu()
            result = rate_call_records(customer.pk)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            server = database_cpu() - server_started if server_started is not None else None
            pending = CallRecord.objects.filter(customer=customer, rating_status=RatingStatus.PENDING).count()
            charges = LedgerEntry.objects.filter(customer=customer).count() - charges_before
            rate = created / elapsed
            rates.append(rate)
            included = ", SQLite included" if connection.vendor == "sqlite" else ""
            print(f"  run {run + 1} (set up in {set_up:.1f} s): rated {result['rated']:,}, unratable "
                  f"{result['unratable']:,}, left pending {pending}, ledger charges {charges:,}, in {elapsed:.2f} s "
                  f"= {rate:,.0f} records/s; {cpu:.2f} s CPU of this process{included}")  # fmt: skip
            if server is not None:
                together = created / (cpu + server)
                print(f"    the PostgreSQL server's processes used {server:.2f} s CPU meanwhile: "
                      f"{together:,.0f} records per CPU-second of worker and database together")  # fmt: skip
        median = statistics.median(rates)
        verdict = "ok" if median >= END_TO_END_TARGET else "BELOW TARGET"
        print(f"  bare longest-prefix loop (baseline) {baseline_rate:>12,.0f} lookups/s")
        print(
            f"  rate_call_records job (median)       {median:>12,.0f} records/s = {baseline_rate / median:.0f}× slower "
            f"than the baseline; target {END_TO_END_TARGET:,}/s per worker: {verdict}"
        )
        started = time.perf_counter()
        again = rate_call_records(customer.pk)
        print(
            f"  another run (nothing pending, nothing charged twice): {again} in {time.perf_counter() - started:.2f} s"
        )
    finally:
        LedgerEntry.objects.filter(customer=customer)._raw_delete(LedgerEntry.objects.db)
        CallLeg.objects.filter(call__customer=customer)._raw_delete(CallLeg.objects.db)
        CallRecord.objects.filter(customer=customer)._raw_delete(CallRecord.objects.db)
        customer.delete()
        tariff.delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prefixes", type=int, default=60_000)
    parser.add_argument("--legs", type=int, default=300_000)
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3, help="end-to-end runs, each on new pending records")
    options = parser.parse_args()
    baseline = bench_pure(options.prefixes, options.legs)
    database = setup_django()
    print(f"\nDatabase: {database}")
    bench_end_to_end(options.prefixes, options.records, baseline, options.repeat)


if __name__ == "__main__":
    main()
