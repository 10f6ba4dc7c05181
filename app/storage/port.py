"""The one interface to stored files (uploads, inbound and outbound media), whichever backend
holds them: a local (or shared) directory, or an S3-compatible bucket.

Keys are what rows already store after `media/`: `<workspace>/<name><ext>`
(`app.domain.owned_key` turns a row's `media_url` into a key, and refuses one outside the
workspace). Nothing here loads a whole file into memory except `put_bytes`, whose callers
already hold the bytes (an attachment checked at the edge, a downloaded voice note).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Protocol

CHUNK = 256 * 1024  # a streamed read's piece


@dataclass(frozen=True, slots=True)
class Peeked:
    """The first bytes of a stored object, its size, and what identifies this version of it:
    an entity tag (a quoted string that changes whenever the bytes may have changed — the
    file's modification time and size locally, the object's ETag in S3) and its modification
    time — what a browser needs to revalidate a cached file (304) and to resume a download
    safely (`If-Range`)."""

    head: bytes
    size: int
    etag: str | None = None
    modified: datetime | None = None


class Storage(Protocol):
    """Files by key. Every method is safe to call from the event loop (blocking work runs in
    a thread)."""

    kind: str  # "local" or "s3": what logs, `/health` and backups say

    async def put_bytes(self, key: str, data: bytes) -> None:
        """Store `data` whole: a reader sees the old object, or the new one, never half."""
        ...

    async def put_stream(self, key: str, source: BinaryIO) -> None:
        """Store what `source` (an open binary file) holds, read a piece at a time."""
        ...

    async def size(self, key: str) -> int | None:
        """The stored object's size in bytes; None when there is none."""
        ...

    async def peek(self, key: str, n: int) -> Peeked | None:
        """The first `n` bytes (fewer for a shorter object), the whole size and the
        version's validators, in one request; None when there is no such object."""
        ...

    def stream(
        self, key: str, chunk: int = CHUNK, span: tuple[int, int] | None = None
    ) -> AsyncIterator[bytes]:
        """The object's bytes a piece at a time (FileNotFoundError when there is none);
        with `span` (first, last byte, inclusive, inside the object) only those bytes: a
        seek on a local file, a ranged GET on S3 — what an HTTP range request needs."""
        ...

    async def delete(self, key: str) -> bool:
        """Remove the object; False when there was none."""
        ...

    def local_file(self, key: str) -> AbstractAsyncContextManager[Path]:
        """A real file with the object's bytes, for code that needs a path (a channel's
        upload): the stored file itself on a local store, a temporary copy removed on exit
        otherwise (FileNotFoundError when there is none)."""
        ...

    def where(self, key: str) -> str:
        """Where the object is, for logs and the outbox's informational `path` (a local
        store: the absolute file path, as rows always had)."""
        ...

    async def check(self) -> str:
        """Reach the backend once at start; a clear error (StorageError) when it is not there."""
        ...


class StorageError(RuntimeError):
    """The store is misconfigured or unreachable; the message says what to fix."""
