"""Simulate a customer's phone traffic over the last days and report it as a PBX would (idempotent)."""

from __future__ import annotations

import argparse
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from panel.models import Customer
from simulator.emit import HttpEmitter, ServiceEmitter
from simulator.runner import format_summary, simulate_traffic

MAX_DAYS = 366
MAX_CALLS_PER_DAY = 10_000


def _aware_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as wrong:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from wrong
    if moment.utcoffset() is None:
        raise argparse.ArgumentTypeError(f"give the offset too, e.g. {text}+01:00")
    return moment


class Command(BaseCommand):
    help = (
        "Generate realistic calls of a customer over the last N days (Europe/Warsaw working hours; a quarter of the "
        "calls on weekends and public holidays), route each with the routing engine (random answers from the seed) "
        "and send what a PBX would: call records, recordings (while the recording service is on) and voicemail "
        "messages, through the ingestion entry points. The same seed gives the same calls with the same ids, so "
        "running it again stores nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customer", required=True, metavar="PREFIX", help="The customer's login prefix.")
        parser.add_argument("--days", type=int, required=True, metavar="N", help="How many days up to today.")
        parser.add_argument(
            "--calls-per-day",
            type=int,
            required=True,
            metavar="M",
            help="Calls on a working day (a quarter on others).",
        )
        parser.add_argument("--seed", type=int, default=1, metavar="S", help="The random seed (default 1).")
        parser.add_argument(
            "--via-http",
            metavar="URL",
            help="Post the events to a running Centrala at URL (e.g. http://127.0.0.1:8000) instead of calling the "
            "entry points in this process; needs --token.",
        )
        parser.add_argument("--token", metavar="KEY", help="The customer's API key for --via-http.")
        parser.add_argument(
            "--background-audio",
            action="store_true",
            help="Store the call records now and leave recordings and voicemail messages to the background worker "
            "(checking each MP3 is the slow part); sent here when the job queue cannot be reached.",
        )
        parser.add_argument(
            "--no-audio", action="store_true", help="Only call records (and SMS): no recordings, no voicemail messages."
        )
        parser.add_argument(
            "--now",
            type=_aware_time,
            metavar="TIME",
            help="Simulate up to this moment instead of the clock's (ISO 8601 with its offset, e.g. "
            "2026-03-11T21:00:00+01:00).",
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="Generate nothing when the customer already has simulated calls of this seed: the history is made "
            "once per database, so a restart never replays it through changed routing.",
        )

    def handle(
        self,
        *args,
        customer,
        days,
        calls_per_day,
        seed,
        via_http,
        token,
        background_audio,
        no_audio,
        now=None,
        once=False,
        **options,
    ):
        if not 1 <= days <= MAX_DAYS:
            raise CommandError(f"--days must be 1 to {MAX_DAYS}.")
        if not 0 <= calls_per_day <= MAX_CALLS_PER_DAY:
            raise CommandError(f"--calls-per-day must be 0 to {MAX_CALLS_PER_DAY}.")
        if not 0 <= seed < 2**31:
            raise CommandError("--seed must be 0 to 2147483647.")
        if bool(via_http) != bool(token):
            raise CommandError("--via-http and --token go together.")
        found = Customer.objects.filter(prefix=customer).first()
        if found is None:
            raise CommandError(f"No customer with the prefix {customer!r}.")
        try:
            emitter = HttpEmitter(via_http, token) if via_http else ServiceEmitter(found)
        except ValueError as wrong:
            raise CommandError(str(wrong)) from wrong
        summary = simulate_traffic(
            customer=found,
            days=days,
            calls_per_day=calls_per_day,
            seed=seed,
            emitter=emitter,
            with_audio=not no_audio,
            background_audio=background_audio,
            now=now,
            once=once,
        )
        self.stdout.write(format_summary(summary))
