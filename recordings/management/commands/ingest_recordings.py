"""`manage.py ingest_recordings DIR`: take in the recordings a PBX dropped into a spool folder.

A file is named `<customer prefix>__<call id>.mp3` (or `.wav`), optionally
with a sidecar `<customer prefix>__<call id>.json` (or `<file name>.json`)
that carries the call's `started_at`, `direction`, `caller` and `callee` for a
call not reported yet. Each stored file (and its sidecar) moves to DIR/done/;
a refused one moves to DIR/failed/ with `<file name>.reason.txt` saying why.
A file that failed for a passing reason (the database unreachable, say) stays
where it is for the next run. Running it again is safe: a file stored before
answers "already stored" and moves to done/.

Files whose names start with a dot, and files changed in the last
`--min-age` seconds, are left alone: the PBX may still be writing them.
"""

from __future__ import annotations

import json
import logging
import re
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from panel.models import Customer
from panel.refusal import Refused
from recordings.ingestion import recording_ingest

logger = logging.getLogger("recordings.spool")

SPOOL_NAME = re.compile(r"^(?P<prefix>[a-z0-9]{3,20})__(?P<call_id>[A-Za-z0-9._:@-]{1,64})\.(?P<ext>mp3|wav)\Z", re.I)
DONE = "done"
FAILED = "failed"


class Command(BaseCommand):
    help = "Store the recordings (MP3/WAV) a PBX dropped into DIR; move them to DIR/done or DIR/failed."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="The spool folder the PBX writes to.")
        parser.add_argument(
            "--min-age",
            type=float,
            default=5.0,
            help="Leave files changed in the last this many seconds (still being written). Default 5.",
        )

    def handle(self, *args, directory, min_age, **options):
        spool = Path(directory)
        if not spool.is_dir():
            raise CommandError(f"{spool} is not a folder")
        (spool / DONE).mkdir(exist_ok=True)
        (spool / FAILED).mkdir(exist_ok=True)
        counts = {"stored": 0, "already": 0, "failed": 0, "left": 0}
        now = time.time()
        for path in sorted(spool.iterdir()):
            if not path.is_file() or path.name.startswith(".") or path.suffix.lower() == ".json":
                continue
            if path.name.endswith(".reason.txt"):
                continue
            if now - path.stat().st_mtime < min_age:
                counts["left"] += 1
                continue
            outcome = self.ingest_one(path, spool)
            counts[outcome] += 1
        self.stdout.write(
            "stored {stored}, already stored {already}, failed {failed}, left for later {left}".format(**counts)
        )

    def ingest_one(self, path: Path, spool: Path) -> str:
        sidecar = _sidecar_of(path)
        try:
            customer, call_id, facts = _parse(path, sidecar)
            with path.open("rb") as source:
                result = recording_ingest(
                    customer=customer, call_id=call_id, fileobj=source, filename=path.name, **facts
                )
        except Refused as refusal:  # the spool file will never be stored as it is: it goes to failed/
            reason = refusal.message
            moved = _move(path, sidecar, spool / FAILED)
            (spool / FAILED / f"{moved.name}.reason.txt").write_text(reason + "\n", encoding="utf-8")
            logger.warning("spool file %s refused: %s", path.name, reason)
            self.stderr.write(f"{path.name}: {reason}")
            return "failed"
        except Exception:
            logger.exception("spool file %s left for the next run", path.name)
            self.stderr.write(f"{path.name}: could not be stored now; left for the next run")  # operator console
            return "left"
        _move(path, sidecar, spool / DONE)
        return "stored" if result.created else "already"


def _sidecar_of(path: Path) -> Path | None:
    for candidate in (path.with_suffix(".json"), path.with_name(f"{path.name}.json")):
        if candidate.is_file():
            return candidate
    return None


def _parse(path: Path, sidecar: Path | None) -> tuple[Customer, str, dict]:
    match = SPOOL_NAME.match(path.name)
    if match is None:
        raise Refused(Refused.INVALID, _("The file name is not <customer prefix>__<call id>.mp3 or .wav."))
    customer = Customer.objects.filter(prefix=match["prefix"], is_active=True).first()
    if customer is None:
        raise Refused(Refused.INVALID, _("No active customer has the prefix %(prefix)s.") % {"prefix": match["prefix"]})
    facts: dict = {}
    if sidecar is not None:
        try:
            data = json.loads(sidecar.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise Refused(
                Refused.INVALID,
                _("The sidecar %(name)s is not valid JSON: %(error)s") % {"name": sidecar.name, "error": error},
            ) from error
        if not isinstance(data, dict):
            raise Refused(Refused.INVALID, _("The sidecar %(name)s must hold a JSON object.") % {"name": sidecar.name})
        if data.get("started_at"):
            try:
                facts["started_at"] = parse_datetime(str(data["started_at"]))
            except ValueError:
                facts["started_at"] = None
            if facts["started_at"] is None:
                raise Refused(
                    Refused.INVALID,
                    _("started_at in the sidecar is not an ISO 8601 time, e.g. 2025-01-31T10:15:00+01:00."),
                )
        for name in ("direction", "caller", "callee"):
            if data.get(name) not in (None, ""):
                facts[name] = str(data[name])
    return customer, match["call_id"], facts


def _move(path: Path, sidecar: Path | None, folder: Path) -> Path:
    """Move the file (and its sidecar) into `folder`, numbering the name if taken; returns the file's new path."""
    moved = path
    for item in (path, sidecar):
        if item is None or not item.exists():
            continue
        target = folder / item.name
        number = 2
        while target.exists():
            target = folder / f"{item.stem}_{number}{item.suffix}"
            number += 1
        try:
            item.replace(target)
        except FileNotFoundError:
            continue  # moved meanwhile by a parallel run
        if item == path:
            moved = target
    return moved
