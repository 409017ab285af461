"""Shared helpers of the call-monitoring tests: the service switched on, a live call, a PBX that only listens."""

from __future__ import annotations

from datetime import datetime

import pytest

from billing.models import Service
from billing.services import service_activate
from pbx.commands import MonitorResult
from simulator.live import answer_call, start_call

RECORDING_COMMANDS = "pbx.tests.monitoring_support.RecordingCommands"


def monitoring_on(customer, now: datetime | None = None) -> None:
    """Switch the paid call-monitoring add-on on for `customer`, as "Tak" in "Usługi / Oferta" would."""
    service_activate(customer=customer, service=Service.objects.get(code="monitoring"), now=now)


def live_call(customer, *, caller="+48601100200", callee="+48221234567", extension="11", at=None) -> str:
    """An incoming call answered by `extension` (none when empty); returns its call id."""
    call_id = start_call(customer=customer, caller=caller, callee=callee, direction="in", extension=extension, at=at)
    answer_call(customer=customer, call_id=call_id, at=at)
    return call_id


class RecordingCommands:
    """A PBX command interface that remembers every monitor command and answers it (PBX_COMMANDS in tests)."""

    sent: list[dict] = []
    fail = False

    def monitor(self, **command) -> MonitorResult:
        if RecordingCommands.fail:
            raise ConnectionError("the PBX is not reachable")
        RecordingCommands.sent.append(command)
        from django.utils import timezone

        now = timezone.now()
        return MonitorResult(call_id=command["monitor_id"], answered=True, started_at=now, answered_at=now)


@pytest.fixture
def commands(settings):
    """The PBX commands go to `RecordingCommands` (emptied, answering) for the test."""
    settings.PBX_COMMANDS = RECORDING_COMMANDS
    RecordingCommands.sent, RecordingCommands.fail = [], False
    return RecordingCommands
