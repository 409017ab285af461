"""Callers dial in to a teleconference room (through the routing engine) and leave after a while."""

from __future__ import annotations

import random

from django.core.management.base import BaseCommand, CommandError

from conferences.selectors import room_by_number
from panel.models import Customer
from simulator.conferences import simulate_dial_in


class Command(BaseCommand):
    help = (
        "Simulate callers joining a teleconference room: each dials the room's public number and enters the "
        "PIN; a scheduled job makes each leave after --stay seconds (a worker with --with-scheduler runs it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customer", required=True, help="The customer's login prefix, e.g. firmaabcde.")
        parser.add_argument("--room", required=True, help="The room's internal number, e.g. *7556.")
        parser.add_argument("--callers", type=int, default=3, help="How many callers dial in (default 3).")
        parser.add_argument("--stay", type=int, default=300, help="About how many seconds each stays (default 300).")
        parser.add_argument("--wrong-pin", action="store_true", help="One more caller gives a wrong PIN three times.")

    def handle(self, *args, customer, room, callers, stay, wrong_pin, **options):
        from datetime import timedelta

        from django.utils import timezone

        from panel.jobqueue import enqueue_at
        from simulator import jobs

        owner = Customer.objects.filter(prefix=customer).first()
        if owner is None:
            raise CommandError(f"No customer with the prefix {customer}.")
        found = room_by_number(customer=owner, number=room)
        if found is None:
            raise CommandError(f"{customer} has no room {room}.")
        rng = random.Random()
        for _caller in range(callers):
            caller = f"+48601{rng.randrange(10**6):06d}"
            joined = simulate_dial_in(customer=owner, room=found, caller=caller)
            if joined.joined and stay > 0:
                when = timezone.now() + timedelta(seconds=max(5, int(stay * rng.uniform(0.6, 1.4))))
                enqueue_at(when, jobs.simulated_leave, owner.pk, found.number, joined.channel)
            self.stdout.write(f"{caller}: {'joined' if joined.joined else 'refused (' + joined.reason + ')'}")
        if wrong_pin:
            refused = simulate_dial_in(customer=owner, room=found, caller="+48601000999", pins=["0000"] * 3)
            self.stdout.write(f"+48601000999: refused ({refused.reason})")
