"""HTTP range and conditional requests over any store (RFC 9110 §13–14): the one answer to
`Range:`, `If-Range:`, `If-None-Match:` and `If-Modified-Since:` for a stored file, whether
its bytes are on a local disk or in S3 — so a video seeks, and a cached picture revalidates,
the same way in both.

One range per request: `bytes=a-b`, `bytes=a-` and `bytes=-n` (the last n bytes). Anything
this does not understand — another unit, several ranges, a malformed value — is ignored and
the whole file is sent (200), which the RFC allows and browsers handle. A range that starts
past the end is a 416 naming the size. `If-Range` honours the range only when it names this
version (its strong entity tag, or exactly its modification date); otherwise the whole file
is sent, so a resumed download never splices two versions. A browser whose copy is current
(`If-None-Match` names the tag; without it, `If-Modified-Since` is not before the
modification) gets a 304 and no body.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

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
class Version:
    """The stored file as a response describes it: its size and validators (either may be
    unknown — then nothing is matched against it)."""

    size: int
    etag: str | None = None
    modified: datetime | None = None

    def validators(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if self.etag:
            out["ETag"] = self.etag
        if self.modified is not None:
            out["Last-Modified"] = format_datetime(_utc(self.modified), usegmt=True)
        return out

    def named_by(self, if_range: str) -> bool:
        """Whether an `If-Range` value names this version: a strong tag compared strongly
        (a weak one never matches), or a date equal to the modification date (§13.1.5)."""
        value = if_range.strip()
        if value.startswith('"') or value.startswith("W/"):
            return bool(self.etag) and value == self.etag and not value.startswith("W/")
        when = _date(value)
        return when is not None and self.modified is not None and when == _second(self.modified)

    def current_for(self, if_none_match: str | None, if_modified_since: str | None) -> bool:
        """Whether the browser's cached copy is this version (a 304): `If-None-Match`
        decides when present (weak comparison, `*` matches); otherwise `If-Modified-Since`
        not before the modification date."""
        if if_none_match is not None:
            if not self.etag:
                return False
            tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
            return "*" in tags or self.etag.removeprefix("W/") in tags
        since = _date(if_modified_since or "")
        return since is not None and self.modified is not None and _second(self.modified) <= since


@dataclass(frozen=True, slots=True)
class Conditions:
    """The request headers that shape the answer."""

    range: str | None = None
    if_range: str | None = None
    if_none_match: str | None = None
    if_modified_since: str | None = None

    @classmethod
    def of(cls, headers: Mapping[str, str]) -> Conditions:
        """From a request's headers (Litestar's and Starlette's mappings are case-blind)."""
        return cls(
            headers.get("range"),
            headers.get("if-range"),
            headers.get("if-none-match"),
            headers.get("if-modified-since"),
        )


@dataclass(frozen=True, slots=True)
class Ranged:
    """What to answer: a status, the range headers, and the body (None for a 304 or 416)."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: AsyncIterator[bytes] | None = None


def ranged(storage: Storage, key: str, version: Version, asked: Conditions) -> Ranged:
    """The answer to a GET of stored `key`: 304 when the browser's copy is current, 200
    with the whole file, 206 with one span (a ranged read from the store), or 416."""
    size, validators = version.size, version.validators()
    if version.current_for(asked.if_none_match, asked.if_modified_since):
        return Ranged(304, validators)
    honoured = asked.if_range is None or version.named_by(asked.if_range)
    try:
        span = span_of(asked.range, size) if honoured else None
    except Unsatisfiable:
        return Ranged(416, {"Content-Range": f"bytes */{size}", "Accept-Ranges": "bytes"})
    if span is None:
        headers = {"Accept-Ranges": "bytes", "Content-Length": str(size), **validators}
        return Ranged(200, headers, storage.stream(key))
    first, last = span
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Range": f"bytes {first}-{last}/{size}",
        "Content-Length": str(last - first + 1),
        **validators,
    }
    return Ranged(206, headers, storage.stream(key, span=span))


def _utc(when: datetime) -> datetime:
    """In `datetime.UTC` itself (boto3 gives dateutil's tzutc, which `format_datetime`
    refuses)."""
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _second(when: datetime) -> datetime:
    """HTTP dates have whole seconds: compare at that precision."""
    return _utc(when).replace(microsecond=0)


def _date(value: str) -> datetime | None:
    try:
        return _utc(parsedate_to_datetime(value)) if value else None
    except (TypeError, ValueError, IndexError):
        return None
