"""Durable background indexing: the document row is the queue.

A document is PENDING until a worker takes it (PROCESSING), then INDEXED or FAILED with an
`error_message`. The in-memory queue only carries ids; on start every PROCESSING row (a crash
mid-index) goes back to PENDING and every PENDING row is queued again, so no document is stuck.
What one run does, and how it retries, is `DocumentIndexer`'s (document_indexer.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from app.db.tables import KBDocument
from app.domain.enums import IndexStatus
from app.services.knowledge.document_indexer import DocumentIndexer

log = logging.getLogger(__name__)


class IndexWorker:
    def __init__(self, indexer: DocumentIndexer, concurrency: int = 1) -> None:
        self._indexer = indexer
        self._concurrency = max(1, concurrency)
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> int:
        """Recover rows a crash left PROCESSING, queue every PENDING row, start the workers."""
        await KBDocument.update({KBDocument.status: IndexStatus.PENDING}).where(
            KBDocument.status == IndexStatus.PROCESSING
        )
        rows = (
            await KBDocument.select(KBDocument.id)
            .where(KBDocument.status == IndexStatus.PENDING)
            .order_by(KBDocument.created_at)
        )
        for r in rows:
            self._queue.put_nowait(r["id"])
        self._tasks = [
            asyncio.create_task(self._run(), name=f"kb-index-{i}") for i in range(self._concurrency)
        ]
        return len(rows)

    async def stop(self) -> None:
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t
        self._tasks = []

    def submit(self, document_id: str) -> None:
        self._queue.put_nowait(document_id)

    async def idle(self) -> None:
        """Wait until every queued document is processed (tests; callers bound the wait)."""
        await self._queue.join()

    async def _run(self) -> None:
        while True:
            doc_id = await self._queue.get()
            try:
                await self._indexer.process(doc_id)
                if self._queue.empty():  # sentences once the uploads waiting are indexed
                    await self._indexer.warm_ready()
            except Exception:  # a bug must not kill the worker; the row says FAILED
                log.exception("indexing %s crashed", doc_id)
            finally:
                self._queue.task_done()
