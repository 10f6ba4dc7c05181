"""Knowledge bases themselves: each workspace has a default one, made on first need.

Deleting a KB removes more than its rows (which cascade): its vectors, its uploaded files and
its reference questions live outside the database and go here too.
"""

from __future__ import annotations

import asyncio
from typing import Any

from app.auth import Resource, guarded
from app.db.tables import KBDocument, KBFaq, KnowledgeBase
from app.domain import Actor, new_id
from app.domain import knowledge as m
from app.rag import delete_knowledge_base
from app.rag.runtime import KnowledgeRuntime
from app.records import AuditTrail
from app.schemas import knowledge as ks
from app.services.knowledge.access import KnowledgeFiles, kb_row, workspace_of
from app.services.knowledge.references import ReferenceQuestions

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


class KnowledgeBaseService:
    def __init__(
        self,
        runtime: KnowledgeRuntime,
        files: KnowledgeFiles,
        references: ReferenceQuestions,
        audit: AuditTrail,
    ) -> None:
        self._runtime = runtime  # a deleted KB's vectors go too
        self._files = files  # … and its uploaded files
        self._references = references  # … and its reference questions
        self._audit = audit

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
        return await self._with_counts(await kb_row(actor, kb_id))

    @guarded(Resource.KNOWLEDGE, write=True)
    async def create(self, actor: Actor, body: ks.KBCreateBody) -> m.KnowledgeBase:
        kb_id = new_id()
        has_default = await KnowledgeBase.exists().where(
            (KnowledgeBase.workspace_id == actor.workspace_id) & (KnowledgeBase.is_default == True)  # noqa: E712
        )
        await KnowledgeBase.insert(
            KnowledgeBase(
                id=kb_id,
                workspace_id=workspace_of(actor),
                name=body.name.strip(),
                description=body.description,
                is_default=not has_default,
            )
        )
        await self._audit.record(actor, "knowledge_base.create", "knowledge_base", kb_id)
        return await self.get(actor, kb_id)

    @guarded(Resource.KNOWLEDGE, write=True)
    async def update(self, actor: Actor, kb_id: str, body: ks.KBUpdateBody) -> m.KnowledgeBase:
        await kb_row(actor, kb_id)
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
        await kb_row(actor, kb_id)
        docs = await KBDocument.select(KBDocument.id, KBDocument.file_path).where(
            KBDocument.knowledge_base_id == kb_id
        )
        await KnowledgeBase.delete().where(KnowledgeBase.id == kb_id)  # rows cascade
        await asyncio.to_thread(
            delete_knowledge_base,
            await self._runtime.astore(),
            workspace_id=workspace_of(actor),
            kb_id=kb_id,
        )
        for d in docs:
            await self._files.remove(workspace_of(actor), d["id"], d["file_path"])
        self._references.drop(kb_id)
        await self._audit.record(actor, "knowledge_base.delete", "knowledge_base", kb_id)
