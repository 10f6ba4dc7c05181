"""Asking a knowledge base directly: the dashboard's test panel and its evaluation.

Both read only. The test panel shows what the bot itself would retrieve (same retriever, same
scores) and what the no-model reader would quote, with its calibrated confidence. The
evaluation asks every reference question the way a customer would — the workspace's real model
and threshold, nothing sent — and reports what the customer gets: `precision` (sent answers
that are right), `coverage` (answerable questions answered right), `declineRate` (questions
that should not be answered, handed to a person), next to retrieval's hit-rate@k and MRR.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

import msgspec

from app.ai.knowledge_search import restore_units
from app.ai.signals import detect_language
from app.answers.answerer import Answer, Answerer
from app.answers.evidence import query_embedder
from app.answers.matching import contains
from app.auth import Resource, guarded
from app.db.repos import workspace_settings
from app.domain import Actor
from app.domain import knowledge as m
from app.domain.workspace_settings import WorkspaceSettings
from app.rag import EvalCase, evaluate
from app.rag.runtime import KnowledgeRuntime
from app.schemas import knowledge as ks
from app.services.knowledge.access import kb_row, workspace_of
from app.services.knowledge.references import check_case


class Drafter(Protocol):
    """What the bot would reply (the AI engine): the Evaluation scores it."""

    async def draft(
        self, workspace_id: str, ws: WorkspaceSettings, question: str, kb_id: str | None = None
    ) -> Any: ...


class RetrievalChecks:
    def __init__(
        self,
        runtime: KnowledgeRuntime,
        drafter: Drafter | None = None,
        answerer: Answerer | None = None,
    ) -> None:
        self._runtime = runtime  # the bot's own retriever: same passages, same scores
        self._drafter = drafter
        self._answerer = answerer or Answerer()  # the test panel's reader (its vector cache)

    @guarded(Resource.KNOWLEDGE, write=False)
    async def test(self, actor: Actor, kb_id: str, query: str, k: int = 5) -> m.TestResult:
        """What the bot would find, and what the no-model reader would quote from it."""
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
        answer, confidence = None, None
        if hits:
            read = await self._read(workspace_of(actor), kb_id, query)
            answer, confidence = read.text, round(read.confidence, 4)
        return m.TestResult(answer=answer, sources=sources, confidence=confidence)

    async def _read(self, workspace_id: str, kb_id: str, query: str) -> Answer:
        retriever = await self._runtime.aretriever()
        embeddings = retriever.embeddings  # the reader's sentences, as the bot embeds them
        found = await asyncio.to_thread(
            retriever.candidates, query, workspace_id=workspace_id, kb_id=kb_id
        )
        await restore_units(self._answerer, workspace_id, found, embeddings.name)
        ev = await asyncio.to_thread(
            self._answerer.evidence,
            query,
            found,
            embed=embeddings.embed_documents,
            embedder=embeddings.name,
            embed_queries=query_embedder(retriever.embeddings.embed_query),
        )
        language = await asyncio.to_thread(detect_language, query)
        return await asyncio.to_thread(self._answerer.answer, ev, language, detect_language)

    @guarded(Resource.KNOWLEDGE, write=False)
    async def evaluate(self, actor: Actor, kb_id: str, body: ks.EvalBody) -> m.EvalResult:
        await kb_row(actor, kb_id)
        for c in body.cases:
            check_case(c.should_not_answer, c.expected_source, c.expected_answer)
        sourced = [EvalCase(c.question, c.expected_source) for c in body.cases if c.expected_source]
        report = await asyncio.to_thread(
            evaluate,
            await self._runtime.aretriever(),
            sourced,
            workspace_id=workspace_of(actor),
            kb_id=kb_id,
            k=body.k,
        )
        misses = [
            m.EvalMissOut(
                question=x.question, expected_source=x.expected_source, rank=x.rank, got=x.got
            )
            for x in report.misses
        ]
        result = m.EvalResult(
            total=len(body.cases),
            k=report.k,
            hit_rate=round(report.hit_rate, 4),
            mrr=round(report.mrr, 4),
            misses=misses,
        )
        if self._drafter is None:
            return result
        return await self._answers(workspace_of(actor), kb_id, body, result)

    async def _answers(
        self, workspace_id: str, kb_id: str, body: ks.EvalBody, result: m.EvalResult
    ) -> m.EvalResult:
        """Ask each case as a customer would and score what the bot would send."""
        assert self._drafter is not None
        ws = await workspace_settings.load(workspace_id)
        sent = right_sent = answerable = covered = unanswerable = declined = 0
        misses = list(result.misses)
        for case in body.cases:
            draft = await self._drafter.draft(workspace_id, ws, case.question, kb_id)
            said = draft.answer
            if case.should_not_answer:
                unanswerable += 1
                declined += draft.escalate
                sent += not draft.escalate
                if not draft.escalate:
                    misses.append(_miss(case, draft, "answered"))
                continue
            answerable += 1
            right = said is not None and _is_right(case, said, draft.source_ids)
            if draft.escalate:
                misses.append(_miss(case, draft, "declined"))
                continue
            sent += 1
            right_sent += right
            covered += right
            if not right:
                misses.append(_miss(case, draft, "wrong"))
        return msgspec.structs.replace(
            result,
            misses=misses,
            precision=round(right_sent / sent, 4) if sent else None,
            coverage=round(covered / answerable, 4) if answerable else None,
            decline_rate=round(declined / unanswerable, 4) if unanswerable else None,
            answered=sent,
            threshold=ws.confidence_threshold,
        )


def _is_right(case: ks.EvalCaseBody, said: str, source_ids: tuple[str, ...]) -> bool:
    """Right = holds the expected text (when given) and comes from the expected source (when
    given)."""
    if case.expected_answer and not contains(said, [case.expected_answer]):
        return False
    return not case.expected_source or case.expected_source in source_ids


def _miss(case: ks.EvalCaseBody, draft: Any, kind: str) -> m.EvalMissOut:
    return m.EvalMissOut(
        question=case.question,
        expected_source=case.expected_source,
        rank=None,
        got=list(draft.source_ids),
        kind=kind,
        said=draft.answer,
        confidence=None if draft.confidence is None else round(draft.confidence, 4),
        expected_answer=case.expected_answer,
    )
