"""One indexing run of one document: read its text, embed it, record the outcome.

A run moves the row PENDING → PROCESSING → INDEXED or FAILED (with an `error_message`) and
publishes progress as it goes. User errors (unreadable file, refused URL) fail at once; anything
else is retried with exponential backoff, `kb_retries` times. `IndexWorker` feeds runs from its
queue; this class knows nothing of queues.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from app.db.tables import KBChunk, KBDocument
from app.domain import DomainError
from app.domain.enums import IndexStatus, KBDocType
from app.events import EventBus, names
from app.kb.runtime import KnowledgeRuntime
from app.knowledge import PageText, delete_document, index_document
from app.knowledge.extract import extract, ingest_url
from app.services.notifications import NotificationService

log = logging.getLogger(__name__)


class DocumentIndexer:
    """Mixed into `IndexWorker`, whose constructor sets these from settings."""

    runtime: KnowledgeRuntime
    events: EventBus
    notifications: NotificationService
    settings: Any
    retries: int
    base_s: float

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
        await KBDocument.update(
            {KBDocument.status: IndexStatus.PROCESSING, KBDocument.error_message: None}
        ).where(KBDocument.id == doc_id)
        self._progress(row, 0, IndexStatus.PROCESSING)
        error: str | None = None
        for attempt in range(self.retries + 1):
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
                if attempt < self.retries:
                    await asyncio.sleep(self.base_s * 2**attempt)
                continue
            if await self._deleted_meanwhile(row):
                return
            await KBDocument.update(
                {
                    KBDocument.status: IndexStatus.INDEXED,
                    KBDocument.chunk_count: count,
                    KBDocument.error_message: None,
                }
            ).where(KBDocument.id == doc_id)
            self._progress(row, 100, IndexStatus.INDEXED)
            await self.notifications.notify(
                row["ws"],
                names.KB_INDEXED,
                {
                    "documentId": doc_id,
                    "knowledgeBaseId": row["knowledge_base_id"],
                    "name": row["name"],
                    "status": IndexStatus.INDEXED,
                    "chunkCount": count,
                },
            )
            return
        await KBDocument.update(
            {KBDocument.status: IndexStatus.FAILED, KBDocument.error_message: error}
        ).where(KBDocument.id == doc_id)
        self._progress(row, 100, IndexStatus.FAILED, error)
        await self.notifications.notify(
            row["ws"],
            names.KB_INDEXED,
            {
                "documentId": doc_id,
                "knowledgeBaseId": row["knowledge_base_id"],
                "name": row["name"],
                "status": IndexStatus.FAILED,
                "error": error,
            },
        )

    async def _deleted_meanwhile(self, row: dict[str, Any]) -> bool:
        """The document was deleted while it was being indexed: the delete already removed the
        vectors it could see, so the ones this run wrote after it are removed here."""
        if await KBDocument.exists().where(KBDocument.id == row["id"]):
            return False
        await asyncio.to_thread(
            delete_document,
            self.runtime.store,
            workspace_id=row["ws"],
            kb_id=row["knowledge_base_id"],
            document_id=row["id"],
        )
        return True

    async def _pages(self, row: dict[str, Any]) -> list[PageText]:
        kind = KBDocType(row["type"])
        if kind == KBDocType.URL:
            return await ingest_url(row["source_url"], allow=self.settings.egress_allow)
        if kind == KBDocType.MANUAL:
            return [PageText(row["content"] or "")]
        data = await asyncio.to_thread(Path(row["file_path"]).read_bytes)
        return await asyncio.to_thread(extract, data, kind)

    async def _index(self, row: dict[str, Any]) -> int:
        pages = await self._pages(row)
        loop = asyncio.get_running_loop()

        def progress(done: int, total: int) -> None:
            pct = int(99 * done / total) if total else 99
            loop.call_soon_threadsafe(self._progress, row, pct, IndexStatus.PROCESSING)

        records = await asyncio.to_thread(
            index_document,
            pages,
            workspace_id=row["ws"],
            kb_id=row["knowledge_base_id"],
            document_id=row["id"],
            embeddings=self.runtime.embeddings,
            store=self.runtime.store,
            on_progress=progress,
        )
        if not records:
            from app.knowledge import ExtractionError

            raise ExtractionError("no text found in the document")
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
        self, row: dict[str, Any], percent: int, status: str, error: str | None = None
    ) -> None:
        data: dict[str, Any] = {
            "documentId": row["id"],
            "knowledgeBaseId": row["knowledge_base_id"],
            "percent": percent,
            "status": status,
        }
        if error:
            data["error"] = error
        self.events.publish(names.KB_PROGRESS, row["ws"], data)
