"""Answer-quality evaluation of a KB (issue 4 §7): reference questions with their expected
source → hit-rate@k, MRR and the misses, using the same Retriever the bot uses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from app.rag.retrieval import Retriever, SearchHit


@dataclass(frozen=True, slots=True)
class EvalCase:
    question: str
    expected_source: str  # a document id or a FAQ id


@dataclass(frozen=True, slots=True)
class EvalMiss:
    question: str
    expected_source: str
    rank: int | None  # 1-based rank where it appeared beyond k, None if not retrieved
    got: list[str]  # the sources returned instead (top k)


@dataclass(frozen=True, slots=True)
class EvalReport:
    total: int
    hit_rate: float  # share of questions whose expected source is in the top k
    mrr: float
    k: int
    misses: list[EvalMiss] = field(default_factory=list)


def _source(hit: SearchHit) -> str:
    return hit.document_id or hit.faq_id or hit.id


def evaluate(
    retriever: Retriever,
    cases: Sequence[EvalCase],
    *,
    workspace_id: str,
    kb_id: str,
    k: int = 5,
    depth: int = 20,
) -> EvalReport:
    """Score `cases` against the KB; the threshold is disabled so ranks are always known."""
    hits_at_k, rr = 0, 0.0
    misses: list[EvalMiss] = []
    for case in cases:
        hits = retriever.search(
            case.question, workspace_id=workspace_id, kb_id=kb_id, k=depth, min_score=0.0
        )
        sources = list(dict.fromkeys(_source(h) for h in hits))  # one rank per source
        rank = sources.index(case.expected_source) + 1 if case.expected_source in sources else None
        if rank is not None:
            rr += 1.0 / rank
        if rank is not None and rank <= k:
            hits_at_k += 1
        else:
            misses.append(EvalMiss(case.question, case.expected_source, rank, sources[:k]))
    n = len(cases)
    return EvalReport(n, hits_at_k / n if n else 0.0, rr / n if n else 0.0, k, misses)
