"""A broadcast's picture is read from the store once, not once per recipient
(`app.storage.shared`): many concurrent sends share one temporary copy of the S3 object,
counted by a wrapper on the port around the real S3 adapter (moto on loopback); the copy goes
when it has been idle, and a copy over the size cap is not kept."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import BinaryIO

import pytest

from app.storage import CHUNK, Peeked, Storage, build_storage
from app.storage.shared import SharedCopies
from tests.conftest import make_settings
from tests.integration.storage.conftest import S3

PICTURE = os.urandom(300_000)


class CountingStorage:
    """The S3 adapter, counting the reads that move an object's bytes."""

    def __init__(self, inner: Storage) -> None:
        self.inner = inner
        self.kind = inner.kind
        self.reads = 0

    def stream(
        self, key: str, chunk: int = CHUNK, span: tuple[int, int] | None = None
    ) -> AsyncIterator[bytes]:
        self.reads += 1
        return self.inner.stream(key, chunk, span)

    def local_file(self, key: str) -> AbstractAsyncContextManager[Path]:
        self.reads += 1
        return self.inner.local_file(key)

    async def put_bytes(self, key: str, data: bytes) -> None:
        await self.inner.put_bytes(key, data)

    async def put_stream(self, key: str, source: BinaryIO) -> None:
        await self.inner.put_stream(key, source)

    async def size(self, key: str) -> int | None:
        return await self.inner.size(key)

    async def peek(self, key: str, n: int) -> Peeked | None:
        return await self.inner.peek(key, n)

    async def delete(self, key: str) -> bool:
        return await self.inner.delete(key)

    def where(self, key: str) -> str:
        return self.inner.where(key)

    async def check(self) -> str:
        return await self.inner.check()


class Tick:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def store(s3: S3, tmp_path: Path) -> CountingStorage:
    counting = CountingStorage(build_storage(make_settings(tmp_path / "data", **s3.settings())))
    await counting.put_bytes("w1/broadcast-1.jpg", PICTURE)
    return counting


async def test_many_recipients_one_read(store: CountingStorage) -> None:
    tick = Tick()
    copies = SharedCopies(store, idle_s=60, clock=tick)
    seen: list[Path] = []

    async def send() -> None:  # a recipient's send: the channel reads the file
        async with copies.local_file("w1/broadcast-1.jpg") as path:
            assert path.read_bytes() == PICTURE
            seen.append(path)
            await asyncio.sleep(0.01)

    await asyncio.gather(*(send() for _ in range(20)))  # concurrent lanes
    for _ in range(5):  # and later ones, paced by the send budget
        tick.now += 30
        await send()
    assert store.reads == 1 and len(set(seen)) == 1
    copy = seen[0]
    assert copies.held() == {"w1/broadcast-1.jpg": copy}

    tick.now += 61  # the run is over: nothing used it for idle_s
    await copies.sweep()
    assert copies.held() == {} and not copy.exists()


async def test_over_the_cap_is_not_kept_and_a_missing_object_is_not_cached(
    store: CountingStorage,
) -> None:
    copies = SharedCopies(store, cap_bytes=len(PICTURE) - 1)
    async with copies.local_file("w1/broadcast-1.jpg") as path:
        assert path.read_bytes() == PICTURE
    assert not path.exists() and copies.held() == {}  # bounded disk: read again next time
    with pytest.raises(FileNotFoundError):
        async with copies.local_file("w1/gone.jpg"):
            pass
    assert copies.held() == {}
    async with copies.local_file("w1/broadcast-1.jpg"):
        pass
    assert store.reads == 3
    await copies.clear()
