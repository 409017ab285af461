"""Benchmark of the traffic simulator (issue 4, "bench/routing", the simulator half): calls with events per second.

Measured on the demo customer's PBX (seed_demo: two extensions, a queue with
a mobile agent, two numbers), in a throwaway SQLite database (your
development database is not touched) with a private Redis for the rating
jobs the call records enqueue, when one can be started:

1. baseline: the bare routing-engine loop over the same calls (`route()` with
   the same seeded answers, nothing built, nothing stored);
2. the simulator's plain-Python half: plan, route and build every event;
3. the simulator without audio: call records (and SMS) stored through the
   ingestion entry point;
4. the simulator with audio: also the recordings (MP3 of the talk time,
   checked and stored by the recordings ingestion, which decodes each with
   ffmpeg) and the voicemail messages.

Each is reported in calls per second next to the baseline (ratio). New seeds
for each measurement, so every event is really stored, never "already there".

    python bench/simulator.py [--days 10] [--calls-per-day 40] [--audio-days 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# A Wednesday evening: the simulated days are working days whenever the benchmark runs.
NOW = datetime(2026, 3, 11, 20, 0, tzinfo=UTC)


def setup_django(var_dir: Path) -> None:
    os.environ["CENTRALA_VAR_DIR"] = str(var_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "centrala.settings")
    os.environ["DEBUG"] = "true"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


def start_redis(var_dir: Path):
    """A private Redis for the rating jobs the call records enqueue (as in production); None if unavailable."""
    from django.conf import settings

    from panel import embedded

    try:
        port = embedded.free_port()
        process = embedded.start_redis(port=port, data_dir=var_dir / "redis")
    except Exception as error:  # no redis-server here: the enqueue fails fast and is logged, as without a queue
        print(f"(no Redis: {error}; rating jobs are not queued)")
        return None
    url = f"redis://127.0.0.1:{port}/0"
    settings.RQ_QUEUES = {name: {**conf, "URL": url} for name, conf in settings.RQ_QUEUES.items()}
    return process


def planned_calls(config, prefix: str, seed: int, days: int, per_day: int):
    from simulator.traffic import WARSAW, plan_day

    last = NOW.astimezone(WARSAW).date()
    return [
        planned
        for offset in range(days)
        for planned in plan_day(
            config, prefix=prefix, seed=seed, day=last - timedelta(days=days - 1 - offset), calls_per_day=per_day
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=10, help="days of traffic without audio (default 10)")
    parser.add_argument("--calls-per-day", type=int, default=40, help="calls on a working day (default 40)")
    parser.add_argument("--audio-days", type=int, default=2, help="days of traffic with audio (default 2)")
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="centrala-bench-simulator-"))
    setup_django(var_dir)
    redis = start_redis(var_dir)
    try:
        run(args)
    finally:
        if redis is not None:
            from panel import embedded

            embedded.stop(redis)


def run(args) -> None:
    from panel.models import Customer
    from pbx.routing import route
    from pbx.selectors.routing import load_config
    from simulator.runner import simulate_traffic
    from simulator.traffic import answers_for, play

    customer = Customer.objects.get(prefix="firmaabcde")
    config = load_config(customer=customer)
    calls = planned_calls(config, customer.prefix, 1, args.days, args.calls_per_day)

    def baseline() -> None:
        for planned in calls:
            route(config, planned.call, answers_for(config, planned))

    def built() -> None:
        for planned in calls:
            play(config, planned)

    def rate(function, minimum_seconds: float = 1.0) -> float:
        rounds, started = 0, time.perf_counter()
        while True:
            function()
            rounds += 1
            elapsed = time.perf_counter() - started
            if elapsed >= minimum_seconds:
                return rounds * len(calls) / elapsed

    baseline_rate = rate(baseline)
    built_rate = rate(built)
    records = simulate_traffic(
        customer=customer, days=args.days, calls_per_day=args.calls_per_day, seed=2, now=NOW, with_audio=False
    )
    with_audio = simulate_traffic(
        customer=customer, days=args.audio_days, calls_per_day=args.calls_per_day, seed=3, now=NOW
    )
    sequential = simulate_traffic(
        customer=customer, days=args.audio_days, calls_per_day=args.calls_per_day, seed=4, now=NOW, workers=1
    )

    def line(label: str, calls_per_second: float, extra: str = "") -> str:
        ratio = baseline_rate / calls_per_second
        return (
            f"  {label:<54}{calls_per_second:12,.1f} calls/s  {ratio:8,.0f}x slower than the baseline {extra}".rstrip()
        )

    def per_second(summary) -> float:
        return summary.call_count / summary.seconds

    def events(summary) -> str:
        return (
            f"({summary.call_count} calls, {summary.events} events: {summary.records['created']} records, "
            f"{summary.recordings['created']} recordings, {summary.voicemails['created']} voicemails, "
            f"{summary.sms} SMS)"
        )

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"Traffic simulator, demo customer firmaabcde ({os.cpu_count()} CPUs, load average {load}, SQLite):")
    print(f"  {'baseline: bare engine loop over the same calls':<54}{baseline_rate:12,.1f} calls/s")
    print(line("plan + route + build the events (no database)", built_rate))
    print(line("calls with events stored, no audio", per_second(records), events(records)))
    print(line("calls with events stored, with audio", per_second(with_audio), events(with_audio)))
    print(line("  the same, audio sent by one thread", per_second(sequential), events(sequential)))
    estimate = 860 / per_second(with_audio)
    print(f"  (30 days x 40 calls of the demo customer are about 860 calls: about {estimate:.0f} s with audio here)")


if __name__ == "__main__":
    main()
