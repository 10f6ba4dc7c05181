"""Documents of a knowledge base: uploaded files, URLs and manual text, indexed in the background.

A request only validates and stores the document (PENDING) and hands its id to `IndexWorker`,
because extracting and embedding a PDF takes far longer than a request should. The file type is
sniffed from the bytes, and a URL is checked against private targets before it is accepted.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from app.auth import Resource, guarded
from app.db.tables import KBDocument
from app.domain import Actor, Invalid, new_id
from app.domain import knowledge as m
from app.domain.enums import IndexStatus, KBDocType
from app.net import check_url
from app.rag import delete_document
from app.rag.extract import sniff_type
from app.rag.runtime import KnowledgeRuntime
from app.records import AuditTrail
from app.schemas import knowledge as ks
from app.services.knowledge.access import KnowledgeFiles, child_row, kb_row, workspace_of
from app.services.knowledge.index_worker import IndexWorker


def _doc(r: dict[str, Any]) -> m.Document:
    return m.Document(
        id=r["id"],
        knowledge_base_id=r["knowledge_base_id"],
        name=r["name"],
        type=r["type"],
        source_url=r["source_url"],
        status=r["status"],
        chunk_count=r["chunk_count"],
        error_message=r["error_message"],
        created_at=r["created_at"],
    )


class DocumentService:
    def __init__(
        self,
        runtime: KnowledgeRuntime,
        worker: IndexWorker,
        files: KnowledgeFiles,
        audit: AuditTrail,
        ssrf_allow: tuple[str, ...] = (),
    ) -> None:
        self._runtime = runtime  # a deleted document's vectors go too
        self._worker = worker  # indexes what is added, in the background
        self._files = files
        self._audit = audit
        self._ssrf_allow = ssrf_allow  # private hosts a URL document may name anyway

    @guarded(Resource.KNOWLEDGE, write=False)
    async def list(self, actor: Actor, kb_id: str) -> list[m.Document]:
        await kb_row(actor, kb_id)
        rows = (
            await KBDocument.select()
            .where(KBDocument.knowledge_base_id == kb_id)
            .order_by(KBDocument.created_at)
        )
        return [_doc(r) for r in rows]

    async def _doc_row(self, actor: Actor, kb_id: str, doc_id: str) -> dict[str, Any]:
        return await child_row(actor, kb_id, KBDocument, doc_id, "document")

    @guarded(Resource.KNOWLEDGE, write=False)
    async def get(self, actor: Actor, kb_id: str, doc_id: str) -> m.Document:
        return _doc(await self._doc_row(actor, kb_id, doc_id))

    async def _add(self, actor: Actor, kb_id: str, doc: KBDocument) -> m.Document:
        await KBDocument.insert(doc)
        await self._audit.record(
            actor, "document.create", "kb_document", doc.id, {"type": doc.type, "name": doc.name}
        )
        self._worker.submit(doc.id)
        return await self.get(actor, kb_id, doc.id)

    @guarded(Resource.KNOWLEDGE, write=True)
    async def upload(
        self, actor: Actor, kb_id: str, filename: str | None, data: bytes
    ) -> m.Document:
        """Sniff the type from the bytes (never trust the client's MIME), store, queue."""
        await kb_row(actor, kb_id)
        kind = sniff_type(data, filename)  # raises Invalid (422) for empty/unknown/too large
        doc_id = new_id()
        path = await self._files.write(workspace_of(actor), doc_id, data)
        name = (Path(filename).name if filename else "") or f"document.{kind.lower()}"
        return await self._add(
            actor,
            kb_id,
            KBDocument(
                id=doc_id,
                knowledge_base_id=kb_id,
                name=name[:255],
                type=kind,
                file_path=path,
                status=IndexStatus.PENDING,
            ),
        )

    @guarded(Resource.KNOWLEDGE, write=True)
    async def add(self, actor: Actor, kb_id: str, body: ks.DocumentBody) -> m.Document:
        await kb_row(actor, kb_id)
        doc_id = new_id()
        if body.type == "URL":
            if not body.url:
                raise Invalid("url is required for a URL document")
            # refuse private targets now (clear 422); the fetch re-checks every redirect
            await check_url(body.url, self._ssrf_allow)
            return await self._add(
                actor,
                kb_id,
                KBDocument(
                    id=doc_id,
                    knowledge_base_id=kb_id,
                    name=(body.name or body.url)[:255],
                    type=KBDocType.URL,
                    source_url=body.url,
                    status=IndexStatus.PENDING,
                ),
            )
        if not body.content or not body.content.strip():
            raise Invalid("content is required for a MANUAL document")
        return await self._add(
            actor,
            kb_id,
            KBDocument(
                id=doc_id,
                knowledge_base_id=kb_id,
                name=(body.name or "Manual entry")[:255],
                type=KBDocType.MANUAL,
                content=body.content,
                status=IndexStatus.PENDING,
            ),
        )

    @guarded(Resource.KNOWLEDGE, write=True)
    async def delete(self, actor: Actor, kb_id: str, doc_id: str) -> None:
        row = await self._doc_row(actor, kb_id, doc_id)
        await KBDocument.delete().where(KBDocument.id == doc_id)  # chunks cascade
        await asyncio.to_thread(
            delete_document,
            await self._runtime.astore(),
            workspace_id=workspace_of(actor),
            kb_id=kb_id,
            document_id=doc_id,
        )
        await self._files.remove(workspace_of(actor), doc_id, row["file_path"])
        await self._audit.record(actor, "document.delete", "kb_document", doc_id)

    @guarded(Resource.KNOWLEDGE, write=True)
    async def reindex(self, actor: Actor, kb_id: str, doc_id: str) -> m.Document:
        row = await self._doc_row(actor, kb_id, doc_id)
        if row["status"] in (IndexStatus.PENDING, IndexStatus.PROCESSING):
            return _doc(row)  # already queued
        await KBDocument.update(
            {KBDocument.status: IndexStatus.PENDING, KBDocument.error_message: None}
        ).where(KBDocument.id == doc_id)
        self._worker.submit(doc_id)
        await self._audit.record(actor, "document.reindex", "kb_document", doc_id)
        return await self.get(actor, kb_id, doc_id)
