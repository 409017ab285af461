"""Test builders of the recordings app: recordings and push runs, with defaults a test may override.

A recording with a `storage` is stored through the real service by `recordings.testing.store_recording`
(the benchmarks use that one directly); without one it is a bare row whose file does not exist, for the
lists and filters that never open the file.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from recordings.models import PushRun, Recording
from recordings.storage import RecordingStorage
from recordings.testing import random_audio_bytes, store_recording


def recording(
    customer, *, started_at: datetime, storage: RecordingStorage | None = None, content: bytes | None = None, **fields
) -> Recording:
    """A recording of an incoming call to extension 10 (`content`: random bytes unless given)."""
    if storage is not None:
        content = random_audio_bytes(1000) if content is None else content
        return store_recording(customer, started_at=started_at, content=content, storage=storage, **fields)
    call_id = fields.pop("call_id", f"call-{started_at.timestamp():.0f}")
    row = {"direction": "in", "caller": "48221234567", "callee": "10", "size_bytes": 1, "sha256": "0" * 64}
    row.update(path=f"{customer.prefix}/{call_id}.mp3", duration_seconds=Decimal("12.5"))
    row.update(fields)
    return Recording.objects.create(customer=customer, call_id=call_id, started_at=started_at, **row)


def push_run(customer, *, day: date = date(2026, 3, 29), **fields) -> PushRun:
    """One night's push of `customer`'s recordings of `day` to its FTP server (status as the model's default)."""
    return PushRun.objects.create(customer=customer, day=day, **fields)
