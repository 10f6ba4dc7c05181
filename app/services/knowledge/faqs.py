"""FAQs of a knowledge base: question + answer pairs, embedded inline on create and update.

An FAQ is one short passage, so unlike a document it needs no queue: the request that writes it
also writes its vector (in a thread), and the row keeps the vector's id.
"""

from __future__ import annotations

import asyncio
from typing import Any

from app.auth import Resource, guarded
from app.db.tables import KBFaq
from app.domain import Actor, new_id
from app.domain import knowledge as m
from app.rag import delete_faq, index_faq
from app.rag.runtime import KnowledgeRuntime
from app.records import AuditTrail
from app.schemas import knowledge as ks
from app.services.knowledge.access import child_row, kb_row, workspace_of


def _faq(r: dict[str, Any]) -> m.Faq:
    return m.Faq(
        id=r["id"],
        knowledge_base_id=r["knowledge_base_id"],
        question=r["question"],
        answer=r["answer"],
        created_at=r["created_at"],
    )


class FaqService:
    def __init__(self, runtime: KnowledgeRuntime, audit: AuditTrail) -> None:
        self._runtime = runtime  # embeds each FAQ as it is written
        self._audit = audit

    @guarded(Resource.KNOWLEDGE, write=False)
    async def list(self, actor: Actor, kb_id: str) -> list[m.Faq]:
        await kb_row(actor, kb_id)
        rows = (
            await KBFaq.select().where(KBFaq.knowledge_base_id == kb_id).order_by(KBFaq.created_at)
        )
        return [_faq(r) for r in rows]

    async def _faq_row(self, actor: Actor, kb_id: str, faq_id: str) -> dict[str, Any]:
        return await child_row(actor, kb_id, KBFaq, faq_id, "FAQ")

    async def _index_faq(self, actor: Actor, kb_id: str, faq_id: str, q: str, a: str) -> str:
        return await asyncio.to_thread(
            index_faq,
            q,
            a,
            workspace_id=workspace_of(actor),
            kb_id=kb_id,
            faq_id=faq_id,
            embeddings=await self._runtime.aembeddings(),
            store=await self._runtime.astore(),
        )

    @guarded(Resource.KNOWLEDGE, write=True)
    async def create(self, actor: Actor, kb_id: str, body: ks.FaqCreateBody) -> m.Faq:
        await kb_row(actor, kb_id)
        faq_id = new_id()
        q, a = body.question.strip(), body.answer.strip()
        await KBFaq.insert(KBFaq(id=faq_id, knowledge_base_id=kb_id, question=q, answer=a))
        point = await self._index_faq(actor, kb_id, faq_id, q, a)
        await KBFaq.update({KBFaq.qdrant_id: point}).where(KBFaq.id == faq_id)
        await self._audit.record(actor, "faq.create", "faq", faq_id)
        return _faq(await self._faq_row(actor, kb_id, faq_id))

    @guarded(Resource.KNOWLEDGE, write=True)
    async def update(self, actor: Actor, kb_id: str, faq_id: str, body: ks.FaqUpdateBody) -> m.Faq:
        row = await self._faq_row(actor, kb_id, faq_id)
        q = body.question.strip() if body.question is not None else row["question"]
        a = body.answer.strip() if body.answer is not None else row["answer"]
        await KBFaq.update({KBFaq.question: q, KBFaq.answer: a}).where(KBFaq.id == faq_id)
        point = await self._index_faq(actor, kb_id, faq_id, q, a)
        await KBFaq.update({KBFaq.qdrant_id: point}).where(KBFaq.id == faq_id)
        await self._audit.record(actor, "faq.update", "faq", faq_id)
        return _faq(await self._faq_row(actor, kb_id, faq_id))

    @guarded(Resource.KNOWLEDGE, write=True)
    async def delete(self, actor: Actor, kb_id: str, faq_id: str) -> None:
        await self._faq_row(actor, kb_id, faq_id)
        await KBFaq.delete().where(KBFaq.id == faq_id)
        await asyncio.to_thread(
            delete_faq,
            await self._runtime.astore(),
            workspace_id=workspace_of(actor),
            kb_id=kb_id,
            faq_id=faq_id,
        )
        await self._audit.record(actor, "faq.delete", "faq", faq_id)
