"""Recovery: routes every inbound message that is stored but not routed — those a crash left
behind (their 202 went out), and those whose routing failed later (a lane raised).

It runs in the background from start-up on, so the API answers while it works (health shows
`recovering: n`): a pass walks the unrouted rows oldest first in batches (a few indexed
queries each, never all rows at once) and queues them on the chats' lanes, at most
`concurrency` at a time, so live messages and requests keep their turn on the event loop.
Passes repeat every `sweep_s`, each also storing inbound files a failed fetch left missing
(`MediaRefetch`). A message in flight in this process is skipped; one that keeps failing is
given up after `max_attempts` — it stays unrouted, the team is told to answer it, and the
log says why. Exactly once: the routing decision claims
the message in the database (`outbox.record_decision`), so recovery and the live path can
never both answer it. With several nodes each node routes only the sessions it runs (their
lease), and a node that takes a session over passes at once (`poke`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Collection

from app.aio import wait_set
from app.db.repos import unrouted
from app.events import catalog
from app.pipeline.inbound import Pipeline
from app.pipeline.media import MediaRefetch
from app.records import Notifier

log = logging.getLogger(__name__)

PROGRESS_EVERY_S = 10.0


class Recovery:
    def __init__(
        self,
        pipeline: Pipeline,
        notifier: Notifier,
        media: MediaRefetch,
        *,
        sweep_s: float = 60.0,
        batch: int = 200,
        concurrency: int = 8,
        max_attempts: int = 5,
        sessions: Callable[[], Collection[str]] | None = None,
    ) -> None:
        self.pipeline = pipeline
        # several nodes: only the sessions running here (their lease); None: every session
        self._sessions = sessions
        self._poked = asyncio.Event()
        self._notifier = notifier
        self.media = media
        self.sweep_s = sweep_s
        self.batch = batch
        self.concurrency = concurrency
        self.max_attempts = max_attempts
        self.pending = 0  # messages this pass still has to route (health's `recovering`)
        self._slots = asyncio.Semaphore(concurrency)
        self._task: asyncio.Task[None] | None = None
        self._given_up: set[str] = set()

    def start(self) -> None:
        """Begin draining in the background (returns at once)."""
        if self._task is None or self._task.done():
            self._slots = asyncio.Semaphore(self.concurrency)  # bound to the running loop
            self._task = asyncio.create_task(self._run(), name="recovery")

    async def stop(self) -> None:
        """Stop reading more; what is already queued is the pipeline's to finish or cancel."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.pending = 0

    def poke(self) -> None:
        """Pass now (this node took over a session: what its last node left unrouted)."""
        self._poked.set()

    async def _run(self) -> None:
        while True:
            wait = self.sweep_s
            self._poked.clear()
            try:
                await self.drain()
                await self.media.run()
            except Exception:
                log.exception("recovery pass failed; retrying")
                wait = min(self.sweep_s, 5.0)
            await wait_set(self._poked, wait)

    async def drain(self) -> int:
        """One pass over every unrouted message; returns how many it queued."""
        sessions = None if self._sessions is None else set(self._sessions())
        waiting = max(0, await unrouted.count(sessions) - self.pipeline.in_flight)
        if waiting == 0:
            return 0
        self.pending = waiting
        log.info("recovery: %d unrouted messages to route", waiting)
        started = last_report = time.monotonic()
        queued = 0
        cursor: unrouted.Cursor | None = None
        try:
            while True:
                batch = await unrouted.batch(cursor, self.batch, sessions)
                if batch.cursor is None:
                    break
                cursor = batch.cursor
                for item in batch.items:
                    if not await self._give_up_if_failing(item):
                        queued += await self._queue(item)
                if time.monotonic() - last_report > PROGRESS_EVERY_S:
                    last_report = time.monotonic()
                    log.info("recovery: %d queued, %d to go", queued, self.pending)
            for _ in range(self.concurrency):  # wait until the last ones are routed
                await self._slots.acquire()
            for _ in range(self.concurrency):
                self._slots.release()
        finally:
            self.pending = 0
        log.info("recovery: routed %d messages in %.1f s", queued, time.monotonic() - started)
        return queued

    async def _queue(self, item: unrouted.Unrouted) -> int:
        await self._slots.acquire()

        def done() -> None:
            self._slots.release()
            self.pending = max(0, self.pending - 1)

        if self.pipeline.reroute(item, done):
            return 1
        self._slots.release()  # already in flight here (the live path has it)
        return 0

    async def _give_up_if_failing(self, item: unrouted.Unrouted) -> bool:
        """After `max_attempts` failed routings, stop trying and have a person answer."""
        message_id = item.message.id
        if self.pipeline.failures.get(message_id, 0) < self.max_attempts:
            return False
        self.pending = max(0, self.pending - 1)
        if message_id not in self._given_up:
            self._given_up.add(message_id)
            log.error(
                "message %s could not be routed after %d attempts; left for a person",
                message_id,
                self.max_attempts,
            )
            notice = catalog.escalation_needed(
                item.conversation.id, item.contact.id, "processing_failed", message_id=message_id
            )
            await self._notifier.notify(item.workspace_id, notice)
        return True
