"""Recording URLs for the shared tenancy test: another customer's recording and ZIP answer 404."""

import io
import secrets
from datetime import timedelta

from django.utils import timezone

from recordings.storage import get_storage
from recordings.testing import random_audio_bytes
from recordings.tests import factories
from recordings.zipper import export_path


def recent_recording(customer) -> dict:
    """A recording of `customer` from yesterday (inside the panel's 30 days), with its file; the URL kwargs."""
    recording = factories.recording(
        customer,
        started_at=timezone.now() - timedelta(days=1),
        content=random_audio_bytes(2000),
        storage=get_storage(),
        call_id=f"tenancy-{secrets.token_hex(4)}",
    )
    return {"pk": recording.pk}


def ready_zip(customer) -> dict:
    """A finished ZIP export of `customer` in the storage; the URL kwargs."""
    name = f"recordings_tenancy_{secrets.token_hex(4)}.zip"
    get_storage().save_atomic(export_path(customer.prefix, name), io.BytesIO(b"PK\x05\x06" + b"\x00" * 18))
    return {"name": name}


OBJECT_URLS = {
    "recordings:play": recent_recording,
    "recordings:download": recent_recording,
    "recordings:delete": recent_recording,
    "recordings:export_download": ready_zip,
}
