"""Serial lanes: work for one key (a chat) runs in submission order, keys run concurrently."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Hashable

log = logging.getLogger(__name__)

Work = Callable[[], Awaitable[None]]


class Lanes:
    def __init__(self) -> None:
        self._queues: dict[Hashable, deque[Work]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._idle = asyncio.Event()
        self._idle.set()

    def submit(self, key: Hashable, work: Work) -> None:
        queue = self._queues.get(key)
        if queue is not None:
            queue.append(work)
            return
        self._queues[key] = deque([work])
        self._idle.clear()
        task = asyncio.create_task(self._drain(key))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def busy(self, key: Hashable) -> bool:
        """Work for `key` is queued or running: what is submitted now waits its turn."""
        return key in self._queues

    async def _drain(self, key: Hashable) -> None:
        queue = self._queues[key]
        try:
            while queue:
                work = queue[0]
                try:
                    await work()
                except Exception:
                    log.exception("pipeline work for %s failed", key)
                queue.popleft()
        finally:
            self._queues.pop(key, None)
            if not self._queues:
                self._idle.set()

    async def idle(self) -> None:
        """Wait until every submitted piece of work has run."""
        await self._idle.wait()

    async def cancel(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._queues.clear()
        self._idle.set()
