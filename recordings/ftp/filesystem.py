"""pyftpdlib's file-system interface, answered from the recording storage instead of the disk.

The client sees a virtual tree whose "/" is its customer's folder
(`/2026/03/29/<file>.mp3`). Every virtual path is normalised by pyftpdlib
(so "..", absolute paths and "/etc/passwd" all stay inside that tree) and
then handed to the storage as `<prefix>/<path>`, which refuses anything
unsafe and any link that leads out of the customer's folder. Nothing can be
written: every changing operation raises, even though the permissions
already stop those commands before they get here.
"""

from __future__ import annotations

import os
import posixpath
import stat

from pyftpdlib.exceptions import FilesystemError
from pyftpdlib.filesystems import AbstractedFS

from recordings.storage import RecordingStorage, StoredEntry, UnsafePath, clean_relative_path

READ_ONLY_MESSAGE = "Not enough privileges: the recordings are read-only."
# What a path that climbs above "/" normalises to: the storage refuses it, so the command gets a 550.
ESCAPED = "/.."
RELATIVE_CACHE_SIZE = 256  # checked paths remembered per session


class StorageFilesystem(AbstractedFS):
    """A read-only, storage-backed view of one customer's recordings for one FTP session."""

    storage: RecordingStorage  # set on the per-server subclass (see server.build_server)

    def __init__(self, root: str, cmd_channel) -> None:
        # `root` is what the authorizer returned as home: the customer's prefix. The virtual root is "/".
        super().__init__("/", cmd_channel)
        self.prefix = clean_relative_path(root)
        self._listing_cache: dict[str, StoredEntry] = {}
        self._relative_cache: dict[str, str] = {}

    # --- paths

    def _relative(self, path: str) -> str:
        """`<prefix>/<path>` for a virtual absolute path; FilesystemError for anything unsafe.

        A command checks the same path several times (valid? then open):
        the answer for a safe path is remembered for this session.
        """
        known = self._relative_cache.get(path) if isinstance(path, str) else None
        if known is not None:
            return known
        if not isinstance(path, str) or not path.startswith("/"):
            raise FilesystemError("Invalid path.")
        inner = path.strip("/")
        try:
            relative = clean_relative_path(f"{self.prefix}/{inner}" if inner else self.prefix)
        except UnsafePath as error:
            raise FilesystemError("Invalid path.") from error
        if len(self._relative_cache) >= RELATIVE_CACHE_SIZE:
            self._relative_cache.clear()
        self._relative_cache[path] = relative
        return relative

    def ftpnorm(self, ftppath: str) -> str:
        """The absolute virtual path of `ftppath` (relative to the working directory); ESCAPED above "/"."""
        joined = ftppath if ftppath.startswith("/") else f"{self.cwd}/{ftppath}"
        parts: list[str] = []
        for part in joined.split("/"):
            if part in ("", "."):
                continue
            if part == "..":
                if not parts:
                    return ESCAPED
                parts.pop()
            else:
                parts.append(part)
        return "/" + "/".join(parts)

    def ftp2fs(self, ftppath: str) -> str:
        # The "file-system path" pyftpdlib passes around is the virtual path itself.
        return self.ftpnorm(ftppath)

    def validpath(self, path: str) -> bool:
        try:
            self._relative(path)
        except FilesystemError:
            return False
        return True

    def realpath(self, path: str) -> str:
        return path

    def fs2ftp(self, fspath: str) -> str:
        return fspath if fspath.startswith("/") else "/" + fspath

    # --- reading

    def _stat_entry(self, path: str) -> StoredEntry:
        cached = self._listing_cache.pop(path, None)
        if cached is not None:
            return cached
        try:
            return self.storage.stat(self._relative(path))
        except UnsafePath as error:
            raise FilesystemError("Invalid path.") from error

    def _stat_result(self, path: str) -> os.stat_result:
        entry = self._stat_entry(path)
        mode = (stat.S_IFDIR | 0o555) if entry.is_dir else (stat.S_IFREG | 0o444)
        modified = int(entry.modified)
        return os.stat_result((mode, 0, 0, 1, 0, 0, entry.size, modified, modified, modified))

    def stat(self, path: str) -> os.stat_result:
        return self._stat_result(path)

    def lstat(self, path: str) -> os.stat_result:
        return self._stat_result(path)

    def listdir(self, path: str) -> list[str]:
        try:
            entries = self.storage.listdir(self._relative(path))
        except UnsafePath as error:
            raise FilesystemError("Invalid path.") from error
        except NotADirectoryError as error:
            raise FilesystemError("Not a directory.") from error
        # The listing that follows asks for each entry's details: answer from this listing.
        self._listing_cache = {posixpath.join(path, entry.name): entry for entry in entries}
        return [entry.name for entry in entries]

    listdirinfo = listdir

    def open(self, filename: str, mode: str):
        if mode not in ("r", "rb"):
            raise FilesystemError(READ_ONLY_MESSAGE)
        try:
            return self.storage.open(self._relative(filename))
        except UnsafePath as error:
            raise FilesystemError("Invalid path.") from error

    def chdir(self, path: str) -> None:
        if not self.isdir(path):
            raise FilesystemError("No such directory.")
        self.cwd = path

    def isdir(self, path: str) -> bool:
        try:
            return self._stat_entry(path).is_dir
        except (OSError, FilesystemError):
            return path == "/"  # the customer's folder exists even before its first recording

    def isfile(self, path: str) -> bool:
        try:
            return not self._stat_entry(path).is_dir
        except (OSError, FilesystemError):
            return False

    def islink(self, path: str) -> bool:
        return False

    def lexists(self, path: str) -> bool:
        try:
            self._stat_entry(path)
        except (OSError, FilesystemError):
            return False
        return True

    def getsize(self, path: str) -> int:
        return self._stat_entry(path).size

    def getmtime(self, path: str) -> float:
        return self._stat_entry(path).modified

    def readlink(self, path: str) -> str:
        raise FilesystemError("Links are not shown.")

    def get_user_by_uid(self, uid) -> str:
        return "ftp"

    def get_group_by_gid(self, gid) -> str:
        return "ftp"

    # --- writing: never

    def _refuse(self, *args, **kwargs):
        raise FilesystemError(READ_ONLY_MESSAGE)

    mkdir = rmdir = remove = rename = chmod = utime = mkstemp = _refuse
