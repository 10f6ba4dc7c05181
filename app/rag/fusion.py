"""Fusing dense and keyword rankings: reciprocal-rank fusion, weighted sum, or dense + boost.

All three are here because the benchmark (tests/bench/bench_retrieval.py) chooses between them;
`Retriever` uses whichever `RetrievalSettings.fusion` names.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.vectors.base import Hit


def rrf(rankings: Sequence[Sequence[Hit]], k: int = 60) -> dict[str, float]:
    """Reciprocal-rank fusion: Σ 1/(k + rank). Ignores score scales entirely."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, hit in enumerate(ranking, start=1):
            fused[hit.id] = fused.get(hit.id, 0.0) + 1.0 / (k + rank)
    return fused


def _minmax(hits: Sequence[Hit]) -> dict[str, float]:
    if not hits:
        return {}
    hi, lo = max(h.score for h in hits), min(h.score for h in hits)
    span = hi - lo
    return {h.id: (h.score - lo) / span if span > 0 else 1.0 for h in hits}


def weighted(dense: Sequence[Hit], keyword: Sequence[Hit], alpha: float) -> dict[str, float]:
    """alpha·dense + (1-alpha)·keyword, each min-max normalised over its own candidates.

    A candidate missing from one list gets 0 there. Min-max stretches whatever range each side
    has to [0, 1] — which also stretches a near-tie between two dense candidates into a full
    point of difference, the reason this trails dense alone on StackFAQ (RESULTS.md).
    """
    d, kw = _minmax(dense), _minmax(keyword)
    return {i: alpha * d.get(i, 0.0) + (1 - alpha) * kw.get(i, 0.0) for i in d.keys() | kw.keys()}


def boosted(dense: Sequence[Hit], keyword: Sequence[Hit], boost: float) -> dict[str, float]:
    """Dense cosine + boost · (BM25 / best BM25): dense-first, keywords move near-ties only.

    The cosine keeps its own scale (not stretched), so the keyword side can reorder candidates
    whose cosines are within `boost` of each other — the ambiguous cases where an exact term
    (a product name, a number) is the better signal — but cannot lift a passage the model
    judged clearly worse. A keyword-only candidate enters at the weakest dense cosine seen.
    """
    if not dense:
        return {h.id: h.score for h in keyword}
    cos = {h.id: h.score for h in dense}
    floor = min(cos.values())
    top = max((h.score for h in keyword), default=0.0)
    kw = {h.id: h.score / top for h in keyword} if top > 0 else {}
    return {i: cos.get(i, floor) + boost * kw.get(i, 0.0) for i in cos.keys() | kw.keys()}
