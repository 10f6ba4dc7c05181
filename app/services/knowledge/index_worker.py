"""Durable background indexing: the document row is the queue.

A document is PENDING until a worker takes it (PROCESSING, a claim with this node's name and
a lease: app/db/repos/kb_claims.py), then INDEXED or FAILED with an `error_message`. The
in-memory queue only carries ids; on start this node's own PROCESSING rows (a crash
mid-index) and expired claims go back to PENDING and every PENDING row is queued. Several
nodes share the database: every `sweep_s` each node also takes back claims whose lease ran
out (a dead node's) and queues what is PENDING — a document uploaded through another node
that died before indexing it too. The claim decides who indexes; queueing an id twice costs
a read. What one run does, and how it retries, is `DocumentIndexer`'s (document_indexer.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from app.db.repos import kb_claims
from app.services.knowledge.document_indexer import DocumentIndexer

log = logging.getLogger(__name__)


class IndexWorker:
    def __init__(
        self, indexer: DocumentIndexer, concurrency: int = 1, *, sweep_s: float = 30.0
    ) -> None:
        self._indexer = indexer
        self._concurrency = max(1, concurrency)
        self._sweep_s = sweep_s
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._queued: set[str] = set()  # ids in the queue, so a sweep does not add them again
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> int:
        """Take back this node's rows a crash left PROCESSING (and expired claims), queue
        every PENDING row, start the workers and the sweep."""
        await kb_claims.recover(datetime.now(UTC), own=self._indexer.owner)
        queued = await self._queue_due()
        self._tasks = [
            asyncio.create_task(self._run(), name=f"kb-index-{i}") for i in range(self._concurrency)
        ]
        self._tasks.append(asyncio.create_task(self._sweep(), name="kb-index-sweep"))
        return queued

    async def _queue_due(self) -> int:
        due = [d for d in await kb_claims.due() if d not in self._queued]
        for doc_id in due:
            self.submit(doc_id)
        return len(due)

    async def _sweep(self) -> None:
        """Another node's expired claims and what nobody queued: see the module docstring."""
        while True:
            await asyncio.sleep(self._sweep_s)
            try:
                if taken := await kb_claims.recover(datetime.now(UTC)):
                    log.warning("indexing claims expired (a node stopped?): %s", taken)
                await self._queue_due()
            except Exception:
                log.exception("indexing sweep failed")

    async def stop(self) -> None:
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t
        self._tasks = []

    def submit(self, document_id: str) -> None:
        self._queued.add(document_id)
        self._queue.put_nowait(document_id)

    async def idle(self) -> None:
        """Wait until every queued document is processed (tests; callers bound the wait)."""
        await self._queue.join()

    async def _run(self) -> None:
        while True:
            doc_id = await self._queue.get()
            self._queued.discard(doc_id)
            try:
                await self._indexer.process(doc_id)
                if self._queue.empty():  # sentences once the uploads waiting are indexed
                    await self._indexer.warm_ready()
            except Exception:  # a bug must not kill the worker; the row says FAILED
                log.exception("indexing %s crashed", doc_id)
            finally:
                self._queue.task_done()
