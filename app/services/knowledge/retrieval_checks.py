"""Asking a knowledge base directly: the dashboard's test panel and its retrieval evaluation.

Both read only, and both show what the bot itself would retrieve (same retriever, same scores),
so a user can see why an answer was or was not found before a customer asks.
"""

from __future__ import annotations

import asyncio

from app.auth import Resource, guarded
from app.domain import Actor
from app.domain import knowledge as m
from app.rag import EvalCase, evaluate
from app.rag.runtime import KnowledgeRuntime
from app.schemas import knowledge as ks
from app.services.knowledge.access import kb_row, workspace_of


class RetrievalChecks:
    def __init__(self, runtime: KnowledgeRuntime) -> None:
        self._runtime = runtime  # the bot's own retriever: same passages, same scores

    @guarded(Resource.KNOWLEDGE, write=False)
    async def test(self, actor: Actor, kb_id: str, query: str, k: int = 5) -> m.TestResult:
        """What the bot would find: the best passage's best sentence as the answer."""
        await kb_row(actor, kb_id)
        hits = await (await self._runtime.aretriever()).asearch(
            query, workspace_id=workspace_of(actor), kb_id=kb_id, k=k
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
    async def evaluate(self, actor: Actor, kb_id: str, body: ks.EvalBody) -> m.EvalResult:
        await kb_row(actor, kb_id)
        cases = [EvalCase(c.question, c.expected_source) for c in body.cases]
        report = await asyncio.to_thread(
            evaluate,
            await self._runtime.aretriever(),
            cases,
            workspace_id=workspace_of(actor),
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
