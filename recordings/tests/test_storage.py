"""The storage interface on the local disk: atomic writes, unique names, and no way out of a customer's folder."""

import hashlib
import io
import os
import threading

import pytest

from recordings.storage import LocalRecordingStorage, UnsafePath, clean_relative_path, get_storage
from recordings.testing import random_audio_bytes

pytestmark = pytest.mark.smoke

PATH = "firmaabcde/2026/03/29/2026-03-29_04-30-00_in_48221234567_10.mp3"


def all_files(root):
    return sorted(
        os.path.relpath(os.path.join(folder, name), root) for folder, _, names in os.walk(root) for name in names
    )


class FailingSource(io.RawIOBase):
    """Gives some bytes, then fails like a dropped upload."""

    def __init__(self, good_bytes: int):
        self.left = good_bytes
        self.calls = 0

    def read(self, size=-1):
        self.calls += 1
        if self.left <= 0:
            raise ConnectionResetError("upload interrupted")
        chunk = b"x" * min(self.left, 64 * 1024)
        self.left -= len(chunk)
        return chunk


def test_save_writes_the_file_and_reports_size_and_sha256(storage):
    content = random_audio_bytes(2_500_000)
    stored = storage.save_atomic(PATH, io.BytesIO(content))
    assert stored.path == PATH
    assert stored.size == len(content)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    with storage.open(PATH) as handle:
        assert handle.read() == content
    assert storage.size(PATH) == len(content)
    assert storage.exists(PATH)
    assert storage.local_path(PATH).read_bytes() == content
    assert all_files(storage.root) == [PATH]  # no temporary file left next to it


def test_a_second_file_with_the_same_name_gets_2_then_3(storage):
    paths = [storage.save_atomic(PATH, io.BytesIO(bytes([n]))).path for n in range(3)]
    assert paths == [PATH, PATH.replace(".mp3", "_2.mp3"), PATH.replace(".mp3", "_3.mp3")]
    with storage.open(paths[1]) as handle:
        assert handle.read() == b"\x01"


def test_overwrite_replaces_instead_of_numbering(storage):
    storage.save_atomic(PATH, io.BytesIO(b"old"))
    assert storage.save_atomic(PATH, io.BytesIO(b"new"), overwrite=True).path == PATH
    with storage.open(PATH) as handle:
        assert handle.read() == b"new"


def test_parallel_writers_of_the_same_name_never_overwrite_each_other(storage):
    results = []

    def write(number):
        results.append(storage.save_atomic(PATH, io.BytesIO(bytes([number]) * 1000)))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({stored.path for stored in results}) == 8
    for stored in results:
        assert storage.size(stored.path) == 1000


def test_failed_write_leaves_no_file_and_no_temporary_file(storage):
    source = FailingSource(good_bytes=3 * 1024 * 1024)
    with pytest.raises(ConnectionResetError):
        storage.save_atomic(PATH, source)
    assert source.calls > 3  # it really wrote several chunks before failing
    assert not storage.exists(PATH)
    assert all_files(storage.root) == []
    assert storage.listdir("firmaabcde/2026/03/29") == []


def test_the_file_being_written_is_never_visible(storage):
    seen = []

    class Watching(io.BytesIO):
        def read(self, size=-1):
            seen.append([entry.name for entry in storage.listdir("firmaabcde/2026/03/29")])
            return super().read(size)

    storage.save_atomic(PATH, Watching(random_audio_bytes(3 * 1024 * 1024)))
    assert seen and all(names == [] for names in seen)
    assert [entry.name for entry in storage.listdir("firmaabcde/2026/03/29")] == [PATH.rsplit("/", 1)[1]]


@pytest.mark.parametrize(
    "path",
    [
        "../outside.mp3",
        "firmaabcde/../../outside.mp3",
        "firmaabcde/2026/../../drugafirma/x.mp3",
        "/etc/passwd",
        "firmaabcde\\..\\x.mp3",
        "firmaabcde/x\x00.mp3",
        "firmaabcde//x.mp3",
        "./firmaabcde/x.mp3",
        "firmaabcde/./x.mp3",
        "firmaabcde/2026/.x.mp3.abc.part",
        ".hidden/x.mp3",
        "",
    ],
)
def test_unsafe_paths_are_refused_everywhere(storage, path):
    with pytest.raises(UnsafePath):
        storage.save_atomic(path, io.BytesIO(b"x"))
    with pytest.raises(UnsafePath):
        storage.open(path)
    with pytest.raises(UnsafePath):
        storage.delete(path)
    if path:  # "" is the storage root, which listings may read
        with pytest.raises(UnsafePath):
            storage.exists(path)
        with pytest.raises(UnsafePath):
            storage.listdir(path)
    assert all_files(storage.root.parent) == []


def test_a_file_directly_in_the_root_is_refused(storage):
    with pytest.raises(UnsafePath):
        storage.save_atomic("loose.mp3", io.BytesIO(b"x"))


def test_clean_relative_path_drops_a_trailing_slash():
    assert clean_relative_path("firmaabcde/2026/") == "firmaabcde/2026"
    assert clean_relative_path("", allow_root=True) == ""
    with pytest.raises(UnsafePath):
        clean_relative_path("/")


def test_links_out_of_the_customer_folder_are_refused_and_hidden(storage, tmp_path):
    storage.save_atomic(PATH, io.BytesIO(b"mine"))
    theirs = storage.save_atomic("drugafirma/2026/03/29/secret.mp3", io.BytesIO(b"theirs")).path
    outside = tmp_path / "outside.txt"
    outside.write_text("server secret")
    day = storage.root / "firmaabcde/2026/03/29"
    os.symlink(outside, day / "escape.mp3")
    os.symlink(storage.root / theirs, day / "neighbour.mp3")
    os.symlink(storage.root / "drugafirma", storage.root / "firmaabcde/other-customer")
    os.symlink(day / PATH.rsplit("/", 1)[1], day / "alias.mp3")  # inside the same folder: fine

    for link in ("escape.mp3", "neighbour.mp3"):
        with pytest.raises(UnsafePath):
            storage.open(f"firmaabcde/2026/03/29/{link}")
    with pytest.raises(UnsafePath):
        storage.listdir("firmaabcde/other-customer/2026")
    assert [entry.name for entry in storage.listdir("firmaabcde/2026/03/29")] == [
        "2026-03-29_04-30-00_in_48221234567_10.mp3",
        "alias.mp3",
    ]
    assert [entry.name for entry in storage.listdir("firmaabcde")] == ["2026"]
    with storage.open("firmaabcde/2026/03/29/alias.mp3") as handle:
        assert handle.read() == b"mine"


def test_only_regular_files_can_be_opened(storage):
    storage.save_atomic(PATH, io.BytesIO(b"x"))
    os.mkfifo(storage.root / "firmaabcde/2026/03/29/pipe.mp3")
    with pytest.raises(IsADirectoryError):
        storage.open("firmaabcde/2026/03/29/pipe.mp3")  # returns at once instead of waiting for a writer
    with pytest.raises(IsADirectoryError):
        storage.open("firmaabcde/2026/03/29")
    assert [entry.name for entry in storage.listdir("firmaabcde/2026/03/29")] == [PATH.rsplit("/", 1)[1]]


def test_listing_shows_folders_and_files_with_sizes(storage):
    storage.save_atomic(PATH, io.BytesIO(b"12345"))
    storage.save_atomic("firmaabcde/2026/03/30/b.mp3", io.BytesIO(b"1"))
    assert [(e.name, e.is_dir) for e in storage.listdir("firmaabcde/2026/03")] == [("29", True), ("30", True)]
    (entry,) = storage.listdir("firmaabcde/2026/03/29")
    assert (entry.is_dir, entry.size) == (False, 5)
    assert [e.name for e in storage.listdir("")] == ["firmaabcde"]
    assert storage.isdir("firmaabcde/2026") and not storage.isdir(PATH)
    with pytest.raises(FileNotFoundError):
        storage.listdir("firmaabcde/1999")


def test_delete_removes_the_file_and_empty_day_folders_but_not_the_customer_folder(storage):
    storage.save_atomic(PATH, io.BytesIO(b"x"))
    storage.save_atomic("firmaabcde/2026/04/01/keep.mp3", io.BytesIO(b"y"))
    assert storage.delete(PATH) is True
    assert not storage.exists(PATH)
    assert not storage.exists("firmaabcde/2026/03")
    assert storage.exists("firmaabcde/2026/04/01/keep.mp3")
    assert storage.delete("firmaabcde/2026/04/01/keep.mp3") is True
    assert storage.isdir("firmaabcde")
    assert storage.listdir("firmaabcde") == []
    assert storage.delete(PATH) is False


def test_makedirs_refuses_a_folder_that_is_a_link_elsewhere(storage, tmp_path):
    storage.makedirs("firmaabcde")
    os.symlink(tmp_path, storage.root / "firmaabcde/2026")
    with pytest.raises(UnsafePath):
        storage.makedirs("firmaabcde/2026/03")
    assert list(tmp_path.iterdir()) == [storage.root]  # nothing was created through the link


def test_get_storage_uses_recordings_root(settings, tmp_path):
    settings.RECORDINGS_ROOT = tmp_path / "configured"
    configured = get_storage()
    assert isinstance(configured, LocalRecordingStorage)
    assert configured.root == tmp_path / "configured"
