"""One indexing run of one document: read its text, embed it, record the outcome.

A run moves the row PENDING → PROCESSING → INDEXED or FAILED (with an `error_message`) and
publishes progress as it goes; PROCESSING is a claim of this node (`owner`) with a lease it
renews while it works (app/db/repos/kb_claims.py), so with several nodes on one database a
document is indexed by one of them, and by another if that one dies; the outcome is
`knowledge.document.indexed` (for webhooks, written in the transaction that records it).
User errors (unreadable file, refused URL) fail at once; anything else is retried with
exponential backoff, `retries` times. `IndexWorker` feeds runs from its queue; this class
knows nothing of queues.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from app.answers import stored_units
from app.answers.answerer import Answerer
from app.db.repos import kb_claims, unit_vectors
from app.db.tables import KBChunk, KBDocument
from app.db.tx import transaction
from app.domain import DomainError
from app.domain.enums import IndexStatus, KBDocType
from app.events import EventBus, catalog
from app.rag import PageText, delete_document, index_document
from app.rag.extract import extract, ingest_url
from app.rag.indexing import doc_title, strip_context
from app.rag.runtime import KnowledgeRuntime
from app.records import Notifier, WebhookOutbox
from app.services.knowledge.access import KnowledgeFiles

log = logging.getLogger(__name__)
_RELEASED = {KBDocument.claimed_by: None, KBDocument.lease_until: None}  # the claim ends


class DocumentIndexer:
    def __init__(
        self,
        runtime: KnowledgeRuntime,
        events: EventBus,
        notifier: Notifier,
        webhooks: WebhookOutbox,
        *,
        retries: int,
        base_s: float,
        ssrf_allow: tuple[str, ...] = (),
        answerer: Answerer | None = None,
        owner: str = "",
        lease_s: float = 120.0,
        files: KnowledgeFiles | None = None,
    ) -> None:
        self._files = files or KnowledgeFiles(Path())  # uploads: a local path, or in S3
        self.owner = owner  # this node's name on its claims
        self.lease_s = lease_s  # a claim not renewed for this long is another node's to take
        self._runtime = runtime
        self._answerer = answerer  # the bot's reader: a new document's sentences pre-embedded
        self._passages: dict[str, list[tuple[str, str]]] = {}  # doc id → (chunk id, text)
        self._ready: list[str] = []  # indexed documents whose sentences wait for `warm_ready`
        self._events = events  # kb:progress
        self._notifier = notifier  # kb_indexed
        self._webhooks = webhooks  # knowledge.document.indexed
        self._retries = max(0, retries)
        self._base_s = base_s  # first retry after this, doubling
        self._ssrf_allow = ssrf_allow  # private hosts a URL document may name anyway

    async def process(self, doc_id: str) -> None:
        row = (
            await KBDocument.select(
                *KBDocument.all_columns(), KBDocument.knowledge_base_id.workspace_id.as_alias("ws")
            )
            .where(KBDocument.id == doc_id)
            .first()
        )
        if row is None or row["status"] != IndexStatus.PENDING:
            return  # deleted meanwhile, or already taken
        now = datetime.now(UTC)
        if not await kb_claims.claim(doc_id, self.owner, now, now + self._lease):
            return  # another node took it between the read and the claim
        renewing = asyncio.create_task(self._renew(doc_id), name=f"kb-lease-{doc_id}")
        try:
            await self._process(row)
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing

    @property
    def _lease(self) -> timedelta:
        return timedelta(seconds=self.lease_s)

    async def _renew(self, doc_id: str) -> None:
        """Keep the claim while indexing (a long PDF takes minutes): every third of a lease."""
        while True:
            await asyncio.sleep(self.lease_s / 3)
            try:
                if not await kb_claims.renew(doc_id, self.owner, datetime.now(UTC) + self._lease):
                    log.warning("indexing %s: the claim was lost (lease ran out)", doc_id)
                    return
            except Exception:  # a blip: the next renewal may get through before it expires
                log.exception("indexing %s: renewing the claim failed", doc_id)

    async def _process(self, row: dict[str, Any]) -> None:
        doc_id = row["id"]
        self._progress(row, 0, IndexStatus.PROCESSING)
        error: str | None = None
        for attempt in range(self._retries + 1):
            try:
                count = await self._index(row)
            except DomainError as exc:  # the input is bad: retrying will not help
                error = exc.detail
                break
            except Exception as exc:
                if await self._deleted_meanwhile(row):
                    return
                error = f"{type(exc).__name__}: {exc}"[:500]
                log.warning("indexing %s failed (attempt %d): %s", doc_id, attempt + 1, error)
                if attempt < self._retries:
                    await asyncio.sleep(self._base_s * 2**attempt)
                continue
            if await self._deleted_meanwhile(row):
                return
            done = {
                KBDocument.status: IndexStatus.INDEXED,
                KBDocument.chunk_count: count,
                KBDocument.error_message: None,
                **_RELEASED,
            }
            await self._finish(row, done, IndexStatus.INDEXED, chunk_count=count)
            self._progress(row, 100, IndexStatus.INDEXED)
            kb_id, name = row["knowledge_base_id"], row["name"]
            notice = catalog.kb_indexed(doc_id, kb_id, name, IndexStatus.INDEXED, chunk_count=count)
            await self._notifier.notify(row["ws"], notice)
            self._ready.append(doc_id)
            return
        self._passages.pop(doc_id, None)
        failed = {
            KBDocument.status: IndexStatus.FAILED,
            KBDocument.error_message: error,
            **_RELEASED,
        }
        await self._finish(row, failed, IndexStatus.FAILED, error=error)
        self._progress(row, 100, IndexStatus.FAILED, error)
        notice = catalog.kb_indexed(
            doc_id, row["knowledge_base_id"], row["name"], IndexStatus.FAILED, error=error
        )
        await self._notifier.notify(row["ws"], notice)

    async def _finish(
        self,
        row: dict[str, Any],
        changes: dict[Any, Any],
        status: IndexStatus,
        *,
        chunk_count: int | None = None,
        error: str | None = None,
    ) -> None:
        """Record the outcome and tell webhooks in one transaction, then the live views."""
        event = catalog.document_indexed(
            row["ws"],
            row["id"],
            row["knowledge_base_id"],
            row["name"],
            status,
            chunk_count=chunk_count,
            error=error,
        )
        async with transaction():
            await KBDocument.update(changes).where(KBDocument.id == row["id"])
            await self._webhooks.record(event)
        self._events.publish(event)

    async def _deleted_meanwhile(self, row: dict[str, Any]) -> bool:
        """The document was deleted while it was being indexed: the delete already removed the
        vectors it could see, so the ones this run wrote after it are removed here."""
        if await KBDocument.exists().where(KBDocument.id == row["id"]):
            return False
        await asyncio.to_thread(
            delete_document,
            await self._runtime.astore(),
            workspace_id=row["ws"],
            kb_id=row["knowledge_base_id"],
            document_id=row["id"],
        )
        return True

    async def _pages(self, row: dict[str, Any]) -> list[PageText]:
        kind = KBDocType(row["type"])
        if kind == KBDocType.URL:
            return await ingest_url(row["source_url"], allow=self._ssrf_allow)
        if kind == KBDocType.MANUAL:
            return [PageText(row["content"] or "")]
        data = await self._files.read(row["ws"], row["file_path"])
        return await asyncio.to_thread(extract, data, kind)

    async def warm_ready(self) -> None:
        """Pre-embed the sentences of every document indexed since the last call. The worker
        calls this when no document is waiting: it costs about as much CPU as the indexing
        itself (0.22 vs 0.33 CPU-s per PDF page, tests/bench/RESULTS-lean.md), so a queue of
        uploads is indexed first, at full speed, and its sentences follow."""
        while self._ready:
            await self._warm(self._ready.pop(0))

    async def _warm(self, doc_id: str) -> None:
        """Embed the new document's reading units now (the document is already INDEXED), so
        the first customer asking about it does not wait for them. Best effort."""
        passages = self._passages.pop(doc_id, [])
        if self._answerer is None or not passages:
            return
        try:
            embeddings = await self._runtime.aembeddings()
            texts = [text for _, text in passages]
            await asyncio.to_thread(self._answerer.warm, texts, embeddings.embed_documents)
            # kept with the chunks: a restart or another node reads them instead of embedding
            stored = await asyncio.to_thread(
                stored_units.to_store, self._answerer.vectors, embeddings.name, passages
            )
            await unit_vectors.save([(s.chunk_id, s.blob, s.digest) for s in stored])
        except Exception as exc:  # a cold cache only costs time at the first question
            log.warning("pre-embedding the sentences of %s failed: %s", doc_id, exc)

    async def _index(self, row: dict[str, Any]) -> int:
        pages = await self._pages(row)
        loop = asyncio.get_running_loop()

        def progress(done: int, total: int) -> None:
            pct = int(99 * done / total) if total else 99
            counts = {"chunksDone": done, "chunksTotal": total}
            loop.call_soon_threadsafe(
                self._progress, row, pct, IndexStatus.PROCESSING, None, counts
            )

        records = await asyncio.to_thread(
            index_document,
            pages,
            workspace_id=row["ws"],
            kb_id=row["knowledge_base_id"],
            document_id=row["id"],
            embeddings=await self._runtime.aembeddings(),
            store=await self._runtime.astore(),
            title=doc_title(row["name"]),
            on_progress=progress,
        )
        if not records:
            from app.rag import ExtractionError

            raise ExtractionError("no text found in the document")
        self._passages[row["id"]] = [(r.id, strip_context(r.content, r.metadata)) for r in records]
        await KBChunk.delete().where(KBChunk.document_id == row["id"])
        await KBChunk.insert(
            *[
                KBChunk(
                    id=r.id,
                    document_id=row["id"],
                    content=r.content,
                    qdrant_id=r.id,
                    chunk_index=r.chunk_index,
                    metadata=dict(r.metadata),
                )
                for r in records
            ]
        )
        return len(records)

    def _progress(
        self,
        row: dict[str, Any],
        percent: int,
        status: str,
        error: str | None = None,
        counts: dict[str, int] | None = None,
    ) -> None:
        """`kb:progress`; while embedding, `counts` adds chunksDone / chunksTotal."""
        done, total = (counts or {}).get("chunksDone"), (counts or {}).get("chunksTotal")
        event = catalog.kb_progress(
            row["ws"],
            row["id"],
            row["knowledge_base_id"],
            percent,
            status,
            error,
            chunks_done=done,
            chunks_total=total,
        )
        self._events.publish(event)
