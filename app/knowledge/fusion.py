"""Fusing dense and keyword rankings: reciprocal-rank fusion or a weighted score sum.

Both are here because the benchmark (tests/bench/bench_retrieval.py) chooses between them;
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


def weighted(dense: Sequence[Hit], keyword: Sequence[Hit], alpha: float) -> dict[str, float]:
    """alpha·dense + (1-alpha)·keyword, each min-max normalised over its own candidates.

    A candidate missing from one list gets 0 there. Min-max keeps a model's compressed cosine
    range (e5 scores cluster in 0.7-0.9) from being drowned by BM25's open scale.
    """

    def norm(hits: Sequence[Hit]) -> dict[str, float]:
        if not hits:
            return {}
        hi, lo = max(h.score for h in hits), min(h.score for h in hits)
        span = hi - lo
        return {h.id: (h.score - lo) / span if span > 0 else 1.0 for h in hits}

    d, kw = norm(dense), norm(keyword)
    return {i: alpha * d.get(i, 0.0) + (1 - alpha) * kw.get(i, 0.0) for i in d.keys() | kw.keys()}
