"""Serving a stored file over HTTP with byte ranges, so a player can seek and a download can resume.

`parse_range` is plain Python (RFC 9110 single byte ranges): "bytes=0-99",
"bytes=100-" and "bytes=-500". Several ranges at once, or another unit, get
the whole file (the RFC allows ignoring such a header); a byte range that is
malformed or starts past the end answers 416 with `Content-Range: bytes */size`.
"""

from __future__ import annotations

import re
from typing import BinaryIO

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from recordings.storage import CHUNK_SIZE, RecordingStorage, UnsafePath

_SPEC = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*\Z")


class RangeNotSatisfiable(ValueError):
    """A byte range the file cannot answer (416)."""


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive (first, last) byte of a single range, None for "send the whole file"."""
    if not header:
        return None
    unit, separator, spec = header.strip().partition("=")
    if not separator or unit.strip().lower() != "bytes" or "," in spec:
        return None
    match = _SPEC.match(spec)
    if match is None or (not match[1] and not match[2]):
        raise RangeNotSatisfiable(header)
    if not match[1]:  # the last N bytes
        length = int(match[2])
        if length == 0 or size == 0:
            raise RangeNotSatisfiable(header)
        return max(size - length, 0), size - 1
    first = int(match[1])
    last = int(match[2]) if match[2] else size - 1
    if first >= size or last < first:
        raise RangeNotSatisfiable(header)
    return first, min(last, size - 1)


class _FilePart:
    """Iterates over `length` bytes of an open file in chunks; Django calls `close` when the response ends."""

    def __init__(self, handle: BinaryIO, length: int) -> None:
        self.handle = handle
        self.remaining = length

    def __iter__(self):
        return self

    def __next__(self) -> bytes:
        if self.remaining <= 0:
            raise StopIteration
        chunk = self.handle.read(min(CHUNK_SIZE, self.remaining))
        if not chunk:
            raise StopIteration
        self.remaining -= len(chunk)
        return chunk

    def close(self) -> None:
        self.handle.close()


def stored_file_response(
    request,
    *,
    storage: RecordingStorage,
    path: str,
    file_name: str,
    as_attachment: bool,
    etag: str | None = None,
    content_type: str = "audio/mpeg",
) -> HttpResponse:
    """A 200 with the whole file or a 206 with the requested range; 404 when the file is gone."""
    try:
        handle = storage.open(path)
    except (FileNotFoundError, IsADirectoryError, UnsafePath) as error:
        raise Http404 from error
    size = handle.seek(0, 2)
    quoted_etag = f'"{etag}"' if etag else None
    range_header = request.headers.get("Range")
    if_range = request.headers.get("If-Range")
    if if_range and quoted_etag and if_range.strip() != quoted_etag:
        range_header = None  # the file changed since the client's first part: send it whole
    try:
        wanted = parse_range(range_header, size)
    except RangeNotSatisfiable:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        response["Accept-Ranges"] = "bytes"
        return response
    first, last = wanted if wanted is not None else (0, size - 1)
    length = max(last - first + 1, 0)
    handle.seek(first)
    response = StreamingHttpResponse(
        _FilePart(handle, length), status=206 if wanted else 200, content_type=content_type
    )
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    if wanted is not None:
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    if quoted_etag:
        response["ETag"] = quoted_etag
    response["Content-Disposition"] = content_disposition_header(as_attachment, file_name)
    response["Cache-Control"] = "private, no-transform"
    response["X-Content-Type-Options"] = "nosniff"
    return response
