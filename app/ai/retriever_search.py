"""`KnowledgeSearch` over the vector/hybrid `Retriever` (issue 4), on the workspace's default KB.

Falls back to `KeywordSearch` (database only) when the workspace has no default KB yet, when
nothing is indexed, or when the embedding model cannot load (missing extra, no disk): the bot
keeps answering from FAQs rather than erroring.
"""

from __future__ import annotations

import logging

from app.ai.knowledge import KeywordSearch
from app.db.tables import KnowledgeBase
from app.kb.runtime import KnowledgeRuntime
from app.llm import Passage

log = logging.getLogger(__name__)


class RetrieverSearch:
    def __init__(self, runtime: KnowledgeRuntime, fallback: KeywordSearch | None = None) -> None:
        self.runtime = runtime
        self.fallback = fallback or KeywordSearch()

    async def search(
        self, workspace_id: str, query: str, k: int = 5, threshold: float = 0.0
    ) -> list[Passage]:
        kb = (
            await KnowledgeBase.select(KnowledgeBase.id)
            .where(
                (KnowledgeBase.workspace_id == workspace_id) & (KnowledgeBase.is_default == True)  # noqa: E712
            )
            .first()
        )
        if kb is None:
            return await self.fallback.search(workspace_id, query, k, threshold)
        try:
            hits = await (await self.runtime.ready()).retriever.asearch(
                query, workspace_id=workspace_id, kb_id=kb["id"], k=k
            )
        except Exception as exc:  # model or store unavailable: degrade, don't fail the reply
            log.warning("vector retrieval unavailable, using keyword search: %s", exc)
            return await self.fallback.search(workspace_id, query, k, threshold)
        out: list[Passage] = []
        for h in hits:
            sim = h.similarity if h.similarity is not None else h.score
            s = round(max(0.0, min(1.0, sim)), 4)
            if s < threshold:
                continue
            if h.faq_id and "\nA: " in h.content:
                q, a = h.content.split("\nA: ", 1)
                out.append(
                    Passage(
                        id=h.faq_id,
                        text=h.content,
                        score=s,
                        kind="faq",
                        question=q.removeprefix("Q: "),
                        answer=a,
                    )
                )
            else:
                out.append(Passage(id=h.chunk_id or h.id, text=h.content, score=s))
        if not out:
            return await self.fallback.search(workspace_id, query, k, threshold)
        return out
