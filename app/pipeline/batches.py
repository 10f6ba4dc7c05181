"""Group commit for small writes that arrive in bursts: items for one key (a session) that
come in while that key's previous batch is being written wait, and go together in the next
batch — one round trip for many instead of one each. Nothing waits on a timer: a lone item
is written at once, so batching costs no latency when traffic is light and forms by itself
when it is heavy (issue 18: receipts were two of a message's ~19 round trips to Postgres).

Each `submit` returns once its own item is written (or raises what writing its batch
raised), so callers keep their back-pressure and "applied when it returns" still holds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class Batches(Generic[T]):
    def __init__(self, write: Callable[[str, list[T]], Awaitable[None]]) -> None:
        self._write = write
        self._queued: dict[str, list[tuple[T, asyncio.Future[None]]]] = {}
        self._writers: dict[str, asyncio.Task[None]] = {}  # key → the task writing its batches

    async def submit(self, key: str, item: T) -> None:
        """Write `item` with whatever else for `key` is waiting; return once it is written."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queued.setdefault(key, []).append((item, done))
        if key not in self._writers:
            # a task of its own: a caller cancelled mid-write must not strand the others
            self._writers[key] = asyncio.create_task(self._drain(key), name=f"batches:{key}")
        await done

    async def _drain(self, key: str) -> None:
        try:
            while batch := self._queued.pop(key, None):
                try:
                    await self._write(key, [item for item, _ in batch])
                except asyncio.CancelledError:
                    _cancel(batch)
                    raise
                except Exception as exc:  # each caller of the batch hears it
                    _settle(batch, exc)
                else:
                    _settle(batch, None)
        finally:
            del self._writers[key]
            _cancel(self._queued.pop(key, []))  # cancelled (stopping): never written


Waiting = Sequence[tuple[object, "asyncio.Future[None]"]]


def _settle(batch: Waiting, error: Exception | None) -> None:
    """Tell each waiter its batch was written (`error` None) or failed."""
    for _, done in batch:
        if done.done():
            continue  # its caller gave up waiting
        if error is None:
            done.set_result(None)
        else:
            done.set_exception(error)


def _cancel(batch: Waiting) -> None:
    for _, done in batch:
        done.cancel()  # a no-op on a settled one
