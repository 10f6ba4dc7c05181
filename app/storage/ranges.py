"""HTTP range requests over any store (RFC 9110 §14): the one answer to `Range:` for a stored
file, whether its bytes are on a local disk or in S3 — so a video seeks the same way in both.

One range per request: `bytes=a-b`, `bytes=a-` and `bytes=-n` (the last n bytes). Anything
this does not understand — another unit, several ranges, a malformed value — is ignored and
the whole file is sent (200), which the RFC allows and browsers handle. A range that starts
past the end is a 416 naming the size. An `If-Range` is always ignored-as-stale: we send no
validator (no ETag, no Last-Modified) for it to match, so the RFC's rule is the whole file.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from app.storage.port import Storage

_ONE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


class Unsatisfiable(Exception):
    """The range starts past the end of the file (a 416)."""


def span_of(header: str | None, size: int) -> tuple[int, int] | None:
    """The (first, last) bytes, inclusive, that `header` asks for in a file of `size` bytes;
    None for the whole file; Unsatisfiable when no byte of it exists."""
    found = _ONE.match(header or "")
    if found is None:
        return None
    first, last = found.group(1), found.group(2)
    if not first and not last:
        return None  # "bytes=-": malformed, ignored
    if not first:  # the last n bytes
        n = int(last)
        if n == 0 or size == 0:
            raise Unsatisfiable
        return max(0, size - n), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None  # malformed: ignored
    if start >= size:
        raise Unsatisfiable
    return start, min(end, size - 1)


@dataclass(frozen=True, slots=True)
class Ranged:
    """What to answer: a status, the range headers, and the body (None for a 416)."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: AsyncIterator[bytes] | None = None


def ranged(
    storage: Storage, key: str, size: int, header: str | None, if_range: str | None = None
) -> Ranged:
    """The answer to a GET of stored `key` (`size` bytes) with this `Range:` header: 200 with
    the whole file, 206 with one span (a ranged read from the store), or 416."""
    try:
        span = None if if_range else span_of(header, size)
    except Unsatisfiable:
        return Ranged(416, {"Content-Range": f"bytes */{size}", "Accept-Ranges": "bytes"})
    if span is None:
        headers = {"Accept-Ranges": "bytes", "Content-Length": str(size)}
        return Ranged(200, headers, storage.stream(key))
    first, last = span
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Range": f"bytes {first}-{last}/{size}",
        "Content-Length": str(last - first + 1),
    }
    return Ranged(206, headers, storage.stream(key, span=span))
