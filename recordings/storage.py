"""The one door to recording files: ingestion, the panel, FTP, push and retention all go through it.

Callers speak in relative paths (`<customer prefix>/YYYY/MM/DD/<file>`) and
never touch the disk themselves, so an object store can replace the local
disk by adding one class here. Every path is checked twice: its text
(`clean_relative_path`: no "..", no absolute part, no backslash, no NUL) and,
on the local disk, where it really leads: a path under a customer's folder
must resolve inside that same folder, so a symbolic link can point neither
out of the storage nor into another customer's folder.

Writes are atomic: the data goes to a hidden temporary file in the target
directory, is flushed to disk, and only then gets its final name, so nobody
ever sees half a file, and a failed write leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
import tempfile
from abc import ABC, abstractmethod
from pathlib import Path
from typing import BinaryIO, NamedTuple

from django.conf import settings

from recordings.naming import numbered_name

CHUNK_SIZE = 1024 * 1024
MAX_NAME_NUMBER = 1000
TEMPORARY_PREFIX = "."


class UnsafePath(ValueError):
    """A relative path that could leave its customer's folder (or the storage); always refused."""


class StoredFile(NamedTuple):
    """What `save_atomic` wrote: the final path (maybe with a `_2` suffix), its size and SHA-256."""

    path: str
    size: int
    sha256: str


class StoredEntry(NamedTuple):
    """One file or folder as a listing shows it; `modified` is a POSIX timestamp."""

    name: str
    is_dir: bool
    size: int
    modified: float


def clean_relative_path(relative_path: str, *, allow_root: bool = False) -> str:
    """The path with redundant slashes removed, or UnsafePath.

    Refused: absolute paths, "..", ".", hidden names (a part starting with a
    dot: files being written), empty parts inside the path, backslashes, NUL
    and other control characters. The storage root itself ("") only with
    `allow_root`.
    """
    if not isinstance(relative_path, str):
        raise UnsafePath("the path must be text")
    if any(ord(character) < 32 or character == "\x7f" for character in relative_path):
        raise UnsafePath("control characters are not allowed in a path")
    if "\\" in relative_path:
        raise UnsafePath("backslashes are not allowed in a path")
    if relative_path.startswith("/"):
        raise UnsafePath("absolute paths are not allowed")
    stripped = relative_path.rstrip("/")
    if not stripped:
        if allow_root:
            return ""
        raise UnsafePath("the path is empty")
    parts = stripped.split("/")
    if any(not part or part.startswith(".") for part in parts):
        raise UnsafePath("the path has an empty, hidden, '.' or '..' part")
    return "/".join(parts)


class RecordingStorage(ABC):
    """Where recording files live. Paths are relative: `<customer prefix>/YYYY/MM/DD/<file>`."""

    @abstractmethod
    def save_atomic(self, relative_path: str, source: BinaryIO, *, overwrite: bool = False) -> StoredFile:
        """Write `source` (read to its end) under `relative_path`, all or nothing.

        If a file of that name exists, the name gets `_2`, `_3`… (or, with
        `overwrite`, the old file is replaced). Returns the final path, size and SHA-256.
        """

    @abstractmethod
    def open(self, relative_path: str) -> BinaryIO:
        """The file opened for binary reading (seekable)."""

    @abstractmethod
    def stat(self, relative_path: str) -> StoredEntry:
        """The entry of one file or folder; FileNotFoundError if there is none."""

    @abstractmethod
    def listdir(self, relative_dir: str) -> list[StoredEntry]:
        """The visible entries of a folder, sorted by name; FileNotFoundError if there is no such folder."""

    @abstractmethod
    def delete(self, relative_path: str) -> bool:
        """Delete a file (and folders it leaves empty below the customer's folder); False if it did not exist."""

    @abstractmethod
    def makedirs(self, relative_dir: str) -> None:
        """Create a folder and its parents if missing."""

    def size(self, relative_path: str) -> int:
        return self.stat(relative_path).size

    def exists(self, relative_path: str) -> bool:
        try:
            self.stat(relative_path)
        except FileNotFoundError:
            return False
        return True

    def isdir(self, relative_dir: str) -> bool:
        try:
            return self.stat(relative_dir).is_dir
        except FileNotFoundError:
            return False

    def local_path(self, relative_path: str) -> Path | None:
        """The file's path on the local disk, or None for a storage without one (e.g. object storage)."""
        return None


class LocalRecordingStorage(RecordingStorage):
    """Recordings on the local disk under `root` (settings.RECORDINGS_ROOT)."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)
        self._real_root: str | None = None  # the root's real path, found once it exists (it does not move)

    def __repr__(self) -> str:
        return f"LocalRecordingStorage({str(self.root)!r})"

    # --- paths

    def _resolve(self, relative_path: str, *, allow_root: bool = False) -> Path:
        """The real path of `relative_path`, refused if it leads out of its top-level (customer) folder."""
        relative = clean_relative_path(relative_path, allow_root=allow_root)
        root = self._real_root
        if root is None:
            root = os.path.realpath(self.root)
            if os.path.isdir(root):
                self._real_root = root
        if not relative:
            return Path(root)
        # The customer's folder itself may be a link (the operator's choice where it lives); what is below it
        # must stay below it.
        top = os.path.realpath(os.path.join(root, relative.split("/", 1)[0]))
        real = os.path.realpath(os.path.join(root, relative))
        if real != top and not real.startswith(top + os.sep):
            raise UnsafePath("the path leads out of its folder")
        return Path(real)

    def local_path(self, relative_path: str) -> Path:
        return self._resolve(relative_path)

    # --- reading

    def open(self, relative_path: str) -> BinaryIO:
        path = self._resolve(relative_path)
        # Non-blocking open, so a FIFO or device placed in the tree cannot hang the caller (the FTP event loop).
        handle = open(path, "rb", opener=_open_nonblocking)  # noqa: SIM115 - the caller closes it
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            handle.close()
            raise IsADirectoryError(errno.EISDIR, "not a regular file", str(path))
        return handle

    def stat(self, relative_path: str) -> StoredEntry:
        path = self._resolve(relative_path, allow_root=True)
        result = os.stat(path)
        return _entry(path.name, result)

    def listdir(self, relative_dir: str) -> list[StoredEntry]:
        directory = self._resolve(relative_dir, allow_root=True)
        entries = []
        with os.scandir(directory) as iterator:
            for item in iterator:
                if item.name.startswith(TEMPORARY_PREFIX):
                    continue  # files being written, and anything else hidden
                if item.is_symlink():
                    child = f"{relative_dir.rstrip('/')}/{item.name}" if relative_dir.strip("/") else item.name
                    try:
                        result = os.stat(self._resolve(child))
                    except (UnsafePath, OSError):
                        continue  # a link out of the folder, or a broken one, is not shown
                else:
                    try:
                        result = item.stat()
                    except OSError:
                        continue
                if stat.S_ISDIR(result.st_mode) or stat.S_ISREG(result.st_mode):
                    entries.append(_entry(item.name, result))
        entries.sort(key=lambda entry: entry.name)
        return entries

    # --- writing

    def makedirs(self, relative_dir: str) -> None:
        relative = clean_relative_path(relative_dir)
        self._resolve(relative)  # a link on the way that leads elsewhere is refused before anything is created
        os.makedirs(os.path.join(self.root, relative), exist_ok=True)
        self._resolve(relative)

    def save_atomic(self, relative_path: str, source: BinaryIO, *, overwrite: bool = False) -> StoredFile:
        relative = clean_relative_path(relative_path)
        folder, _, name = relative.rpartition("/")
        if not folder:
            raise UnsafePath("a recording must live inside a customer's folder")
        self.makedirs(folder)
        directory = self._resolve(folder)
        descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f"{TEMPORARY_PREFIX}{name}.", suffix=".part")
        try:
            digest = hashlib.sha256()
            size = 0
            with os.fdopen(descriptor, "wb") as target:
                while chunk := source.read(CHUNK_SIZE):
                    digest.update(chunk)
                    size += len(chunk)
                    target.write(chunk)
                target.flush()
                os.fsync(target.fileno())
            os.chmod(temporary, 0o640)
            final_name = self._place(temporary, directory, name, overwrite=overwrite)
        except BaseException:
            _unlink_quietly(temporary)
            raise
        _fsync_directory(directory)
        return StoredFile(path=f"{folder}/{final_name}", size=size, sha256=digest.hexdigest())

    def _place(self, temporary: str, directory: Path, name: str, *, overwrite: bool) -> str:
        """Give the written temporary file its final name; never replaces an existing file unless asked."""
        if overwrite:
            os.replace(temporary, directory / name)
            return name
        for number in range(1, MAX_NAME_NUMBER + 1):
            candidate = numbered_name(name, number)
            try:
                # A hard link fails if the name exists, so two writers can never take the same name.
                os.link(temporary, directory / candidate)
            except FileExistsError:
                continue
            except OSError as error:
                if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                    raise
                if (directory / candidate).exists():  # a file system without hard links
                    continue
                os.replace(temporary, directory / candidate)
                return candidate
            os.unlink(temporary)
            return candidate
        raise FileExistsError(errno.EEXIST, f"no free name for {name} after {MAX_NAME_NUMBER} tries")

    def delete(self, relative_path: str) -> bool:
        path = self._resolve(relative_path)
        try:
            os.unlink(path)
        except FileNotFoundError:
            return False
        top = self._resolve(clean_relative_path(relative_path).split("/", 1)[0])
        parent = path.parent
        while parent != top and top in parent.parents:
            try:
                parent.rmdir()
            except OSError:
                break  # not empty (or gone): stop pruning
            parent = parent.parent
        return True


def _open_nonblocking(path: str, flags: int) -> int:
    return os.open(path, flags | os.O_NONBLOCK)


def _entry(name: str, result: os.stat_result) -> StoredEntry:
    is_dir = stat.S_ISDIR(result.st_mode)
    return StoredEntry(name=name, is_dir=is_dir, size=0 if is_dir else result.st_size, modified=result.st_mtime)


def _unlink_quietly(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _fsync_directory(directory: Path) -> None:
    """Make a rename durable: the directory entry itself must reach the disk."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def get_storage() -> RecordingStorage:
    """The configured storage: the local disk under settings.RECORDINGS_ROOT."""
    return LocalRecordingStorage(settings.RECORDINGS_ROOT)
