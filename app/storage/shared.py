"""One temporary copy of a remote object for many sends: a broadcast's picture is read from the
bucket once per run, not once per recipient.

A channel sends from a real file (`Storage.local_file`); on S3 that is a download into a
temporary file per call, so a broadcast to 5,000 contacts fetched its picture 5,000 times.
`SharedCopies.local_file` keeps one copy per key while sends use it: the first caller
downloads, callers meanwhile wait for that download, later callers reuse the file. A copy
nobody has used for `idle_s` is removed (a broadcast's run ends, or pauses that long), and so
is everything when the dispatcher stops. Disk is bounded too: copies held beyond `cap_bytes`
are not kept — the one that does not fit is removed as soon as its last send is done.

A local store needs none of this (its "copy" is the stored file itself): it is passed through.
Keys name immutable uploads (a row's file is never rewritten under the same name), so a copy
cannot go stale while it is kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from app.storage.port import Storage

log = logging.getLogger(__name__)

CAP_BYTES = 256 * 1024 * 1024  # copies kept at once (a broadcast's media is ≤ 16 MB or so)
IDLE_S = 600.0  # a paced broadcast may wait minutes between two sends of one number


@dataclass(slots=True)
class _Copy:
    download: asyncio.Task[tuple[Path, int]]
    users: int = 0
    size: int = 0
    last_used: float = 0.0
    kept: bool = True  # False: over the cap, removed when its last user is done
    path: Path | None = None


class SharedCopies:
    def __init__(
        self,
        storage: Storage,
        *,
        cap_bytes: int = CAP_BYTES,
        idle_s: float = IDLE_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._storage = storage
        self._cap = cap_bytes
        self._idle_s = idle_s
        self._clock = clock
        self._copies: dict[str, _Copy] = {}

    @contextlib.asynccontextmanager
    async def local_file(self, key: str) -> AsyncIterator[Path]:
        """A real file with `key`'s bytes for the length of the block (FileNotFoundError when
        there is no such object), shared with every other caller asking for `key`."""
        if self._storage.kind == "local":
            async with self._storage.local_file(key) as path:
                yield path
            return
        await self.sweep()
        copy = self._copies.get(key)
        if copy is None:
            task = asyncio.create_task(self._download(key), name=f"copy {key}")
            copy = self._copies[key] = _Copy(task)
        copy.users += 1
        try:
            try:
                path, size = await asyncio.shield(copy.download)
            except BaseException:
                if self._copies.get(key) is copy and copy.download.done():
                    del self._copies[key]  # a failed download is not kept: the retry reads anew
                raise
            if copy.path is None:  # the first caller back from the download
                copy.path, copy.size = path, size
                copy.kept = await self._room_for(copy)
                if not copy.kept:
                    log.info("media copy of %s not kept: copies over %d bytes", key, self._cap)
            yield path
        finally:
            copy.users -= 1
            copy.last_used = self._clock()
            if copy.users == 0 and not copy.kept:
                await self._drop(key, copy)

    async def sweep(self) -> None:
        """Remove the copies no send has used for `idle_s`."""
        now = self._clock()
        for key, copy in list(self._copies.items()):
            idle = copy.users == 0 and now - copy.last_used >= self._idle_s
            if idle and copy.download.done():
                await self._drop(key, copy)

    async def clear(self) -> None:
        """Remove every copy nobody uses (the dispatcher stops)."""
        for key, copy in list(self._copies.items()):
            if copy.users == 0:
                await self._drop(key, copy)

    def held(self) -> dict[str, Path]:
        """The copies kept now, by key (for logs and tests)."""
        return {k: c.path for k, c in self._copies.items() if c.path is not None}

    async def _room_for(self, new: _Copy) -> bool:
        """Whether `new` fits under the cap, after removing unused copies, oldest first."""
        unused = sorted(
            ((k, c) for k, c in self._copies.items() if c is not new and c.users == 0),
            key=lambda kc: kc[1].last_used,
        )
        while self._held() > self._cap and unused:
            await self._drop(*unused.pop(0))
        return self._held() <= self._cap

    def _held(self) -> int:
        return sum(c.size for c in self._copies.values() if c.kept)

    async def _download(self, key: str) -> tuple[Path, int]:
        fd, name = await asyncio.to_thread(
            tempfile.mkstemp, prefix="aimy-shared-", suffix=PurePosixPath(key).suffix
        )
        size = 0
        try:
            with os.fdopen(fd, "wb") as out:
                async for piece in self._storage.stream(key):
                    await asyncio.to_thread(out.write, piece)
                    size += len(piece)
        except BaseException:
            await asyncio.to_thread(_remove, name)
            raise
        return Path(name), size

    async def _drop(self, key: str, copy: _Copy) -> None:
        if self._copies.get(key) is copy:
            del self._copies[key]
        if not copy.download.done():
            copy.download.cancel()  # its partial file is removed by `_download`
            return
        if not copy.download.cancelled() and copy.download.exception() is None:
            await asyncio.to_thread(_remove, str(copy.download.result()[0]))


def _remove(name: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(name)
