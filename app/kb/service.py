"""Knowledge bases, FAQs and documents (seed §6), always scoped to `actor.workspace_id`.

Documents are stored as rows (PENDING) and indexed by `IndexWorker`; FAQs are short, so they
are embedded inline on create/update. Vectors are removed with their row.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

from app.auth import Resource, guarded
from app.db.tables import KBDocument, KBFaq, KnowledgeBase
from app.domain import Actor, Invalid, NotFound, new_id
from app.domain.enums import IndexStatus, KBDocType
from app.kb import models as m
from app.kb.references import ReferenceQuestions
from app.kb.runtime import KnowledgeRuntime
from app.kb.worker import IndexWorker
from app.knowledge import (
    EvalCase,
    delete_document,
    delete_faq,
    delete_knowledge_base,
    evaluate,
    index_faq,
)
from app.knowledge.extract import check_url, sniff_type
from app.services.audit import AuditService

DEFAULT_NAME = "Default"


def _kb(r: dict[str, Any], docs: int = 0, faqs: int = 0) -> m.KnowledgeBase:
    return m.KnowledgeBase(
        id=r["id"],
        name=r["name"],
        description=r["description"],
        is_default=bool(r["is_default"]),
        document_count=docs,
        faq_count=faqs,
        created_at=r["created_at"],
    )


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


def _faq(r: dict[str, Any]) -> m.Faq:
    return m.Faq(
        id=r["id"],
        knowledge_base_id=r["knowledge_base_id"],
        question=r["question"],
        answer=r["answer"],
        created_at=r["created_at"],
    )


class KnowledgeService:
    def __init__(
        self,
        runtime: KnowledgeRuntime,
        worker: IndexWorker,
        audit: AuditService,
        data_dir: Path,
        settings: Any,
    ) -> None:
        self.runtime = runtime
        self.worker = worker
        self._audit = audit
        self._files = data_dir / "kb"
        self._settings = settings
        self.references = ReferenceQuestions(self, self._files / "references")

    # knowledge bases -----------------------------------------------------------------------

    async def _kb_row(self, actor: Actor, kb_id: str) -> dict[str, Any]:
        row = (
            await KnowledgeBase.select()
            .where((KnowledgeBase.id == kb_id) & (KnowledgeBase.workspace_id == actor.workspace_id))
            .first()
        )
        if row is None:
            raise NotFound("knowledge base not found")
        return row

    async def default_kb_id(self, workspace_id: str) -> str:
        """The workspace's default KB, created on first need (one per workspace)."""
        row = (
            await KnowledgeBase.select(KnowledgeBase.id)
            .where(
                (KnowledgeBase.workspace_id == workspace_id) & (KnowledgeBase.is_default == True)  # noqa: E712
            )
            .first()
        )
        if row:
            return row["id"]
        kb_id = new_id()
        await KnowledgeBase.insert(
            KnowledgeBase(id=kb_id, workspace_id=workspace_id, name=DEFAULT_NAME, is_default=True)
        )
        return kb_id

    @guarded(Resource.KNOWLEDGE, write=False)
    async def list(self, actor: Actor) -> list[m.KnowledgeBase]:
        assert actor.workspace_id
        await self.default_kb_id(actor.workspace_id)
        rows = (
            await KnowledgeBase.select()
            .where(KnowledgeBase.workspace_id == actor.workspace_id)
            .order_by(KnowledgeBase.created_at)
        )
        return [await self._with_counts(r) for r in rows]

    async def _with_counts(self, r: dict[str, Any]) -> m.KnowledgeBase:
        docs = await KBDocument.count().where(KBDocument.knowledge_base_id == r["id"])
        faqs = await KBFaq.count().where(KBFaq.knowledge_base_id == r["id"])
        return _kb(r, docs, faqs)

    @guarded(Resource.KNOWLEDGE, write=False)
    async def get(self, actor: Actor, kb_id: str) -> m.KnowledgeBase:
        return await self._with_counts(await self._kb_row(actor, kb_id))

    @guarded(Resource.KNOWLEDGE, write=True)
    async def create(self, actor: Actor, body: m.KBCreateBody) -> m.KnowledgeBase:
        kb_id = new_id()
        has_default = await KnowledgeBase.exists().where(
            (KnowledgeBase.workspace_id == actor.workspace_id) & (KnowledgeBase.is_default == True)  # noqa: E712
        )
        await KnowledgeBase.insert(
            KnowledgeBase(
                id=kb_id,
                workspace_id=actor.workspace_id,
                name=body.name.strip(),
                description=body.description,
                is_default=not has_default,
            )
        )
        await self._audit.record(actor, "knowledge_base.create", "knowledge_base", kb_id)
        return await self.get(actor, kb_id)

    @guarded(Resource.KNOWLEDGE, write=True)
    async def update(self, actor: Actor, kb_id: str, body: m.KBUpdateBody) -> m.KnowledgeBase:
        await self._kb_row(actor, kb_id)
        changes: dict[Any, Any] = {}
        if body.name is not None:
            changes[KnowledgeBase.name] = body.name.strip()
        if body.description is not None:
            changes[KnowledgeBase.description] = body.description
        if changes:
            await KnowledgeBase.update(changes).where(KnowledgeBase.id == kb_id)
            await self._audit.record(actor, "knowledge_base.update", "knowledge_base", kb_id)
        return await self.get(actor, kb_id)

    @guarded(Resource.KNOWLEDGE, write=True)
    async def delete(self, actor: Actor, kb_id: str) -> None:
        await self._kb_row(actor, kb_id)
        docs = await KBDocument.select(KBDocument.id).where(KBDocument.knowledge_base_id == kb_id)
        await KnowledgeBase.delete().where(KnowledgeBase.id == kb_id)  # rows cascade
        await asyncio.to_thread(
            delete_knowledge_base, self.runtime.store, workspace_id=actor.workspace_id, kb_id=kb_id
        )
        for d in docs:
            self._remove_file(d["id"])
        self.references.drop(kb_id)
        await self._audit.record(actor, "knowledge_base.delete", "knowledge_base", kb_id)

    # FAQs ----------------------------------------------------------------------------------

    @guarded(Resource.KNOWLEDGE, write=False)
    async def list_faqs(self, actor: Actor, kb_id: str) -> list[m.Faq]:
        await self._kb_row(actor, kb_id)
        rows = (
            await KBFaq.select().where(KBFaq.knowledge_base_id == kb_id).order_by(KBFaq.created_at)
        )
        return [_faq(r) for r in rows]

    async def _faq_row(self, actor: Actor, kb_id: str, faq_id: str) -> dict[str, Any]:
        return await self._child_row(actor, kb_id, KBFaq, faq_id, "FAQ")

    async def _child_row(
        self, actor: Actor, kb_id: str, table: Any, row_id: str, what: str
    ) -> dict[str, Any]:
        """A FAQ or document of a KB the actor's workspace owns, or NotFound."""
        await self._kb_row(actor, kb_id)
        row = (
            await table.select()
            .where((table.id == row_id) & (table.knowledge_base_id == kb_id))
            .first()
        )
        if row is None:
            raise NotFound(f"{what} not found")
        return row

    async def _index_faq(self, actor: Actor, kb_id: str, faq_id: str, q: str, a: str) -> str:
        return await asyncio.to_thread(
            index_faq,
            q,
            a,
            workspace_id=actor.workspace_id,
            kb_id=kb_id,
            faq_id=faq_id,
            embeddings=self.runtime.embeddings,
            store=self.runtime.store,
        )

    @guarded(Resource.KNOWLEDGE, write=True)
    async def create_faq(self, actor: Actor, kb_id: str, body: m.FaqCreateBody) -> m.Faq:
        await self._kb_row(actor, kb_id)
        faq_id = new_id()
        q, a = body.question.strip(), body.answer.strip()
        await KBFaq.insert(KBFaq(id=faq_id, knowledge_base_id=kb_id, question=q, answer=a))
        point = await self._index_faq(actor, kb_id, faq_id, q, a)
        await KBFaq.update({KBFaq.qdrant_id: point}).where(KBFaq.id == faq_id)
        await self._audit.record(actor, "faq.create", "faq", faq_id)
        return _faq(await self._faq_row(actor, kb_id, faq_id))

    @guarded(Resource.KNOWLEDGE, write=True)
    async def update_faq(
        self, actor: Actor, kb_id: str, faq_id: str, body: m.FaqUpdateBody
    ) -> m.Faq:
        row = await self._faq_row(actor, kb_id, faq_id)
        q = body.question.strip() if body.question is not None else row["question"]
        a = body.answer.strip() if body.answer is not None else row["answer"]
        await KBFaq.update({KBFaq.question: q, KBFaq.answer: a}).where(KBFaq.id == faq_id)
        point = await self._index_faq(actor, kb_id, faq_id, q, a)
        await KBFaq.update({KBFaq.qdrant_id: point}).where(KBFaq.id == faq_id)
        await self._audit.record(actor, "faq.update", "faq", faq_id)
        return _faq(await self._faq_row(actor, kb_id, faq_id))

    @guarded(Resource.KNOWLEDGE, write=True)
    async def delete_faq(self, actor: Actor, kb_id: str, faq_id: str) -> None:
        await self._faq_row(actor, kb_id, faq_id)
        await KBFaq.delete().where(KBFaq.id == faq_id)
        await asyncio.to_thread(
            delete_faq,
            self.runtime.store,
            workspace_id=actor.workspace_id,
            kb_id=kb_id,
            faq_id=faq_id,
        )
        await self._audit.record(actor, "faq.delete", "faq", faq_id)

    # documents -----------------------------------------------------------------------------

    @guarded(Resource.KNOWLEDGE, write=False)
    async def list_documents(self, actor: Actor, kb_id: str) -> list[m.Document]:
        await self._kb_row(actor, kb_id)
        rows = (
            await KBDocument.select()
            .where(KBDocument.knowledge_base_id == kb_id)
            .order_by(KBDocument.created_at)
        )
        return [_doc(r) for r in rows]

    async def _doc_row(self, actor: Actor, kb_id: str, doc_id: str) -> dict[str, Any]:
        return await self._child_row(actor, kb_id, KBDocument, doc_id, "document")

    @guarded(Resource.KNOWLEDGE, write=False)
    async def get_document(self, actor: Actor, kb_id: str, doc_id: str) -> m.Document:
        return _doc(await self._doc_row(actor, kb_id, doc_id))

    async def _add(self, actor: Actor, kb_id: str, doc: KBDocument) -> m.Document:
        await KBDocument.insert(doc)
        await self._audit.record(
            actor, "document.create", "kb_document", doc.id, {"type": doc.type, "name": doc.name}
        )
        self.worker.submit(doc.id)
        return await self.get_document(actor, kb_id, doc.id)

    @guarded(Resource.KNOWLEDGE, write=True)
    async def upload(
        self, actor: Actor, kb_id: str, filename: str | None, data: bytes
    ) -> m.Document:
        """Sniff the type from the bytes (never trust the client's MIME), store, queue."""
        await self._kb_row(actor, kb_id)
        kind = sniff_type(data, filename)  # raises Invalid (422) for empty/unknown/too large
        doc_id = new_id()
        path = self._files / doc_id
        await asyncio.to_thread(self._write, path, data)
        name = (Path(filename).name if filename else "") or f"document.{kind.lower()}"
        return await self._add(
            actor,
            kb_id,
            KBDocument(
                id=doc_id,
                knowledge_base_id=kb_id,
                name=name[:255],
                type=kind,
                file_path=str(path),
                status=IndexStatus.PENDING,
            ),
        )

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    @guarded(Resource.KNOWLEDGE, write=True)
    async def add(self, actor: Actor, kb_id: str, body: m.DocumentBody) -> m.Document:
        await self._kb_row(actor, kb_id)
        doc_id = new_id()
        if body.type == "URL":
            if not body.url:
                raise Invalid("url is required for a URL document")
            # refuse private targets now (clear 422); the fetch re-checks every redirect
            await check_url(body.url, tuple(self._settings.ssrf_allow))
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
    async def delete_document(self, actor: Actor, kb_id: str, doc_id: str) -> None:
        await self._doc_row(actor, kb_id, doc_id)
        await KBDocument.delete().where(KBDocument.id == doc_id)  # chunks cascade
        await asyncio.to_thread(
            delete_document,
            self.runtime.store,
            workspace_id=actor.workspace_id,
            kb_id=kb_id,
            document_id=doc_id,
        )
        self._remove_file(doc_id)
        await self._audit.record(actor, "document.delete", "kb_document", doc_id)

    def _remove_file(self, doc_id: str) -> None:
        with contextlib.suppress(OSError):
            (self._files / doc_id).unlink(missing_ok=True)

    @guarded(Resource.KNOWLEDGE, write=True)
    async def reindex(self, actor: Actor, kb_id: str, doc_id: str) -> m.Document:
        row = await self._doc_row(actor, kb_id, doc_id)
        if row["status"] in (IndexStatus.PENDING, IndexStatus.PROCESSING):
            return _doc(row)  # already queued
        await KBDocument.update(
            {KBDocument.status: IndexStatus.PENDING, KBDocument.error_message: None}
        ).where(KBDocument.id == doc_id)
        self.worker.submit(doc_id)
        await self._audit.record(actor, "document.reindex", "kb_document", doc_id)
        return await self.get_document(actor, kb_id, doc_id)

    # retrieval -----------------------------------------------------------------------------

    @guarded(Resource.KNOWLEDGE, write=False)
    async def test(self, actor: Actor, kb_id: str, query: str, k: int = 5) -> m.TestResult:
        """What the bot would find: the best passage's best sentence as the answer."""
        await self._kb_row(actor, kb_id)
        hits = await self.runtime.retriever.asearch(
            query, workspace_id=actor.workspace_id, kb_id=kb_id, k=k
        )
        sources = [
            m.Source(
                id=h.id,
                document_id=h.document_id,
                faq_id=h.faq_id,
                chunk_id=h.chunk_id,
                page=h.page,
                score=round(h.score, 4),
                similarity=None if h.similarity is None else round(h.similarity, 4),
                content=h.content,
                span={"start": h.span.start, "end": h.span.end, "text": h.span.text},
            )
            for h in hits
        ]
        answer = None
        if hits:
            best = hits[0]
            if best.faq_id and "\nA: " in best.content:
                answer = best.content.split("\nA: ", 1)[1]
            else:
                answer = best.span.text or best.content
        return m.TestResult(answer=answer, sources=sources)

    @guarded(Resource.KNOWLEDGE, write=False)
    async def evaluate(self, actor: Actor, kb_id: str, body: m.EvalBody) -> m.EvalResult:
        await self._kb_row(actor, kb_id)
        cases = [EvalCase(c.question, c.expected_source) for c in body.cases]
        report = await asyncio.to_thread(
            evaluate,
            self.runtime.retriever,
            cases,
            workspace_id=actor.workspace_id,
            kb_id=kb_id,
            k=body.k,
        )
        return m.EvalResult(
            total=report.total,
            k=report.k,
            hit_rate=round(report.hit_rate, 4),
            mrr=round(report.mrr, 4),
            misses=[
                m.EvalMissOut(
                    question=x.question, expected_source=x.expected_source, rank=x.rank, got=x.got
                )
                for x in report.misses
            ],
        )
