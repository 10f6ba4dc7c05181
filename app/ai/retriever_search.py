"""`KnowledgeSearch` over the vector/hybrid `Retriever` (issue 4), on the workspace's default KB.

Falls back to `KeywordSearch` (database only) when the workspace has no default KB yet, when
nothing is indexed, or when the embedding model cannot load (missing extra, no disk): the bot
keeps answering from FAQs rather than erroring.

`evidence` gives the answers package (app/answers) every candidate, unthresholded, with the
query vector and the embedder: the reader and the calibrated scorer decide, not a cosine gate.
"""

from __future__ import annotations

import asyncio
import logging

from app.ai.knowledge import KeywordSearch
from app.answers.answerer import Answerer
from app.answers.evidence import Evidence, query_embedder
from app.db.tables import KBDocument, KnowledgeBase
from app.kb.runtime import KnowledgeRuntime
from app.knowledge.indexing import doc_title
from app.knowledge.retrieval import Candidates
from app.llm import Passage

log = logging.getLogger(__name__)


async def _default_kb(workspace_id: str) -> str | None:
    kb = (
        await KnowledgeBase.select(KnowledgeBase.id)
        .where(
            (KnowledgeBase.workspace_id == workspace_id) & (KnowledgeBase.is_default == True)  # noqa: E712
        )
        .first()
    )
    return kb["id"] if kb else None


async def _titles(workspace_id: str, found: Candidates) -> dict[str, str]:
    """Document titles of hits indexed before chunks carried their title."""
    missing = {h.document_id for h in found.hits if h.document_id and not h.metadata.get("title")}
    if not missing:
        return {}
    rows = await KBDocument.select(KBDocument.id, KBDocument.name).where(
        KBDocument.id.is_in(list(missing))
        & (KBDocument.knowledge_base_id.workspace_id == workspace_id)
    )
    return {r["id"]: doc_title(r["name"]) or r["name"] for r in rows}


class RetrieverSearch:
    def __init__(
        self,
        runtime: KnowledgeRuntime,
        fallback: KeywordSearch | None = None,
        answerer: Answerer | None = None,
    ) -> None:
        self.runtime = runtime
        self.fallback = fallback or KeywordSearch()
        self.answerer = answerer or Answerer()

    @property
    def min_score(self) -> float:
        return self.runtime.retriever.min_score

    async def evidence(self, workspace_id: str, query: str, kb_id: str | None = None) -> Evidence:
        kb = kb_id or await _default_kb(workspace_id)
        if kb is None:
            return await self.fallback.evidence(workspace_id, query)
        try:
            runtime = await self.runtime.ready()  # the model's first load, off the event loop
            found = await asyncio.to_thread(
                runtime.retriever.candidates, query, workspace_id=workspace_id, kb_id=kb
            )
        except Exception as exc:  # model or store unavailable: degrade, don't fail the reply
            log.warning("vector retrieval unavailable, using keyword search: %s", exc)
            return await self.fallback.evidence(workspace_id, query)
        if not found.hits:
            return await self.fallback.evidence(workspace_id, query)
        embeddings = self.runtime.embeddings
        titles = await _titles(workspace_id, found)
        return await asyncio.to_thread(
            self.answerer.evidence,
            query,
            found,
            embed=embeddings.embed_documents,
            embedder=embeddings.name,
            titles=titles,
            embed_queries=query_embedder(embeddings.embed_query),
        )

    async def search(
        self, workspace_id: str, query: str, k: int = 5, threshold: float = 0.0
    ) -> list[Passage]:
        kb = await _default_kb(workspace_id)
        if kb is None:
            return await self.fallback.search(workspace_id, query, k, threshold)
        try:
            hits = await (await self.runtime.ready()).retriever.asearch(
                query, workspace_id=workspace_id, kb_id=kb, k=k
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
