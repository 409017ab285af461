"""Many recordings as one ZIP: streamed straight to the browser for small sets, built by a job for large ones.

Inside the ZIP the files keep the folder layout of the FTP tree
(`YYYY/MM/DD/<name>.mp3`). MP3 does not compress, so entries are stored.

A ZIP built in the background is kept in the recording storage under
`_exports/<customer prefix>/<name>.zip`: a top-level folder next to the
customers' folders, not inside any of them. A customer's FTP root is its own
folder (`<prefix>/`) and a prefix is letters and digits only, so no FTP
client can ever see or reach `_exports`. The panel offers only the
requesting customer's own ZIPs and the daily retention job deletes them after
a day.
"""

from __future__ import annotations

import io
import logging
import re
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import BinaryIO

from django.utils import timezone

from recordings.storage import CHUNK_SIZE, RecordingStorage, StoredEntry, UnsafePath

logger = logging.getLogger("recordings.zip")

# Up to this many files and bytes a ZIP is streamed at once; a larger set is built in the background.
STREAM_MAX_FILES = 200
STREAM_MAX_BYTES = 200 * 1024 * 1024
EXPORTS_FOLDER = "_exports"
EXPORT_LIFETIME = timedelta(hours=24)
EXPORT_NAME = re.compile(r"^recordings_[0-9A-Za-z_-]{1,80}\.zip\Z")
PROGRESS_EVERY_SECONDS = 1.0


@dataclass(frozen=True)
class ZipMember:
    """One recording to put in a ZIP: where it is in the storage and its name inside the ZIP."""

    path: str
    arcname: str
    started_at: datetime


def members_of(rows: Iterable[tuple[str, datetime]]) -> Iterator[ZipMember]:
    """ZIP members for (path, started_at) rows: the path without the customer's prefix, as FTP shows it."""
    for path, started_at in rows:
        yield ZipMember(path=path, arcname=path.split("/", 1)[-1], started_at=started_at)


def small_enough_to_stream(*, count: int, total_bytes: int) -> bool:
    return count <= STREAM_MAX_FILES and total_bytes <= STREAM_MAX_BYTES


class _Sink(io.RawIOBase):
    """A write-only, unseekable target: zipfile then writes sizes after each entry, as streaming needs."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def _zip_info(member: ZipMember) -> zipfile.ZipInfo:
    local = timezone.localtime(member.started_at)
    stamp = (max(local.year, 1980), local.month, local.day, local.hour, local.minute, local.second)
    info = zipfile.ZipInfo(member.arcname, date_time=stamp)
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    return info


def _copy_member(archive: zipfile.ZipFile, storage: RecordingStorage, member: ZipMember) -> Iterator[None]:
    """Copy one file into the archive, yielding after each chunk; a file gone meanwhile is left out."""
    try:
        source = storage.open(member.path)
    except (FileNotFoundError, IsADirectoryError, UnsafePath):
        logger.warning("zip: %s is missing, left out", member.path)
        return
    with source, archive.open(_zip_info(member), mode="w", force_zip64=True) as target:
        while chunk := source.read(CHUNK_SIZE):
            target.write(chunk)
            yield


def stream_zip(storage: RecordingStorage, members: Iterable[ZipMember]) -> Iterator[bytes]:
    """The ZIP's bytes as they are produced, for a streaming HTTP response (memory: about one chunk)."""
    sink = _Sink()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for member in members:
            for _ in _copy_member(archive, storage, member):
                if data := sink.drain():
                    yield data
            if data := sink.drain():
                yield data
    if data := sink.drain():
        yield data


def write_zip(
    storage: RecordingStorage,
    members: list[ZipMember],
    target: BinaryIO,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the ZIP to a seekable file; `progress(done, total)` about once a second. Returns the files written."""
    total = len(members)
    last_report = 0.0
    with zipfile.ZipFile(target, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for done, member in enumerate(members, start=1):
            for _ in _copy_member(archive, storage, member):
                pass
            if progress is not None and (time.monotonic() - last_report >= PROGRESS_EVERY_SECONDS or done == total):
                progress(done, total)
                last_report = time.monotonic()
    return total


# --- ZIPs built in the background, kept outside the customers' FTP trees


def exports_folder(prefix: str) -> str:
    return f"{EXPORTS_FOLDER}/{prefix}"


def export_path(prefix: str, name: str) -> str:
    """The storage path of a customer's ZIP; UnsafePath for a name that is not one of ours."""
    if not EXPORT_NAME.match(name or ""):
        raise UnsafePath("not an export name")
    return f"{exports_folder(prefix)}/{name}"


def export_list(storage: RecordingStorage, prefix: str) -> list[StoredEntry]:
    """The customer's finished ZIPs, newest first."""
    try:
        entries = storage.listdir(exports_folder(prefix))
    except (FileNotFoundError, NotADirectoryError):
        return []
    files = [entry for entry in entries if not entry.is_dir and EXPORT_NAME.match(entry.name)]
    return sorted(files, key=lambda entry: entry.modified, reverse=True)


def exports_cleanup(storage: RecordingStorage, *, now: datetime | None = None) -> int:
    """Delete ZIPs older than a day, for every customer; returns how many were deleted."""
    now = now or timezone.now()
    limit = (now - EXPORT_LIFETIME).timestamp()
    deleted = 0
    try:
        folders = storage.listdir(EXPORTS_FOLDER)
    except FileNotFoundError:
        return 0
    for folder in folders:
        if not folder.is_dir:
            continue
        for entry in export_list(storage, folder.name):
            if entry.modified < limit:
                deleted += storage.delete(export_path(folder.name, entry.name))
    return deleted
