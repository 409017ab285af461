"""Play a few calls of a customer in real time, so that the monitoring page has live calls to show."""

from __future__ import annotations

import heapq
import random
import time
from itertools import count

from django.core.management.base import BaseCommand, CommandError

from panel.models import Customer
from pbx.models import PhoneNumber, Queue, SipAccount
from simulator.live import answer_call, end_call, plan_call, start_call

MAX_CALLS = 50
MAX_SECONDS = 24 * 3600
START_SPREAD_SECONDS = 5  # the first calls start within this many seconds of each other
PAUSE_SECONDS = (2, 10)  # with --forever, a new call starts this long after one ended


class Command(BaseCommand):
    help = (
        "Play calls of a customer in real time and report them as a PBX would: call events (started, answered, "
        "ended) through the ingestion entry point, then each call's record with its monitoring legs. Calls are "
        "incoming to the customer's numbers and answered by its extensions (some through queues), a few are "
        "internal; none costs anything unless someone listens on an external number. Ctrl-C ends the calls "
        "still going on before it stops."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customer", required=True, metavar="PREFIX", help="The customer's login prefix.")
        parser.add_argument("--calls", type=int, default=3, metavar="N", help="Calls at the same time (default 3).")
        parser.add_argument(
            "--seconds", type=int, default=120, metavar="S", help="The longest talk time of a call (default 120)."
        )
        parser.add_argument(
            "--forever", action="store_true", help="Keep N calls going: start a new call whenever one ends."
        )
        parser.add_argument("--seed", type=int, default=None, metavar="S", help="The random seed (default: random).")

    def handle(self, *args, customer, calls, seconds, forever, seed, **options):
        if not 1 <= calls <= MAX_CALLS:
            raise CommandError(f"--calls must be 1 to {MAX_CALLS}.")
        if not 1 <= seconds <= MAX_SECONDS:
            raise CommandError(f"--seconds must be 1 to {MAX_SECONDS}.")
        found = Customer.objects.filter(prefix=customer).first()
        if found is None:
            raise CommandError(f"No customer with the prefix {customer!r}.")
        self.customer, self.seconds, self.rng = found, seconds, random.Random(seed)
        self.parties = {
            "phone_numbers": list(PhoneNumber.objects.for_customer(found).values_list("number", flat=True)),
            "extensions": list(
                SipAccount.objects.for_customer(found).filter(is_active=True).values_list("extension", flat=True)
            ),
            "queues": list(Queue.objects.for_customer(found).values_list("number", flat=True)),
        }
        self.agenda: list[tuple[float, int, str, str]] = []  # (when, tie-breaker, action, call id or "")
        self.order = count()
        self.live: set[str] = set()
        now = time.monotonic()
        for _ in range(calls):
            self._schedule(now + self.rng.uniform(0, START_SPREAD_SECONDS), "start")
        try:
            self._run(forever)
        except KeyboardInterrupt:
            self.stdout.write("Stopping: ending the calls still going on.")
        finally:
            for call_id in sorted(self.live):
                end_call(customer=self.customer, call_id=call_id)
                self.stdout.write(f"ended {call_id}")

    def _schedule(self, when: float, action: str, call_id: str = "") -> None:
        heapq.heappush(self.agenda, (when, next(self.order), action, call_id))

    def _run(self, forever: bool) -> None:
        while self.agenda:
            when, _tie, action, call_id = heapq.heappop(self.agenda)
            time.sleep(max(0.0, when - time.monotonic()))
            now = time.monotonic()
            if action == "start":
                planned = plan_call(self.rng, seconds=self.seconds, **self.parties)
                call_id = start_call(
                    customer=self.customer,
                    caller=planned.caller,
                    callee=planned.callee,
                    direction=planned.direction,
                    extension=planned.extension,
                    queue=planned.queue,
                )
                self.live.add(call_id)
                self.stdout.write(f"started {call_id}: {planned.caller} → {planned.callee}")
                self._schedule(now + planned.ring_seconds, "answer", call_id)
                self._schedule(now + planned.ring_seconds + planned.talk_seconds, "end", call_id)
            elif action == "answer":
                answer_call(customer=self.customer, call_id=call_id)
                self.stdout.write(f"answered {call_id}")
            else:
                self.live.discard(call_id)
                record = end_call(customer=self.customer, call_id=call_id)
                self.stdout.write(f"ended {call_id} ({record.legs.count()} legs)")
                if forever:
                    self._schedule(now + self.rng.uniform(*PAUSE_SECONDS), "start")
