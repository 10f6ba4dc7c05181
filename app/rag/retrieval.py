"""The retrieval port the AI engine uses: query → ranked, thresholded KB passages.

Dense and keyword candidates (both filtered by workspace and KB inside the store) are fused,
then cut by `min_score`, a cosine-similarity threshold on the dense score. Seed §8's 0.75 is for
OpenAI embeddings; local models score on other scales, so the default comes from
`default_min_score(model)`, calibrated in tests/bench/bench_retrieval.py.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Literal

from app.embeddings.base import Embeddings
from app.rag.fusion import boosted, rrf, weighted
from app.rag.span import Span, best_span
from app.vectors.base import Hit, VectorFilter, VectorStore

Fusion = Literal["boosted", "weighted", "rrf", "dense", "keyword"]

# Cosine below which a passage is judged unrelated, per model (see the benchmark's calibration).
MIN_SCORE_BY_MODEL = {"multilingual-e5-small-q4": 0.82, "all-MiniLM-L6-v2": 0.30}


def default_min_score(model_name: str) -> float:
    return MIN_SCORE_BY_MODEL.get(model_name, 0.0)


@dataclass(frozen=True, slots=True)
class RetrievalSettings:
    top_k: int = 5
    # dense cosine + boost x BM25/best BM25: the only fusion measured never (bar one query of
    # 1,500) below the best single method on every eval set (tests/bench/RESULTS.md)
    fusion: Fusion = "boosted"
    boost: float = 0.01  # in cosine units: keywords reorder candidates closer than this
    alpha: float = 0.7  # dense weight for "weighted"
    rrf_k: int = 60
    candidates: int = 20  # per method, before fusion
    min_score: float | None = None  # None → default_min_score(model); 0 disables


@dataclass(frozen=True, slots=True)
class SearchHit:
    id: str
    score: float  # fused score (rank order), not comparable across fusion methods
    similarity: float | None  # cosine of query and passage, when the dense side saw it
    content: str
    span: Span
    document_id: str | None
    faq_id: str | None
    chunk_id: str | None
    page: int | None
    metadata: dict[str, Any] = field(default_factory=dict)


class Retriever:
    """Embeds the query, searches dense + keyword, fuses, thresholds. Synchronous (run in a
    thread): both the model and the embedded stores are CPU-bound."""

    def __init__(
        self, embeddings: Embeddings, store: VectorStore, settings: RetrievalSettings | None = None
    ) -> None:
        self.embeddings = embeddings
        self.store = store
        self.settings = settings or RetrievalSettings()

    @property
    def min_score(self) -> float:
        s = self.settings.min_score
        return default_min_score(self.embeddings.name) if s is None else s

    def search(
        self,
        query: str,
        *,
        workspace_id: str,
        kb_id: str,
        k: int | None = None,
        fusion: Fusion | None = None,
        min_score: float | None = None,
    ) -> list[SearchHit]:
        s = self.settings
        k = k or s.top_k
        fusion = fusion or s.fusion
        threshold = self.min_score if min_score is None else min_score
        flt = VectorFilter(workspace_id, kb_id)
        dense: list[Hit] = []
        keyword: list[Hit] = []
        if fusion != "keyword":
            dense = self.store.search(self.embeddings.embed_query(query), s.candidates, flt)
        if fusion != "dense" and self.store.supports_keyword:
            keyword = self.store.keyword_search(query, s.candidates, flt)
        if fusion == "dense" or not keyword:
            scores = {h.id: h.score for h in dense}
        elif fusion == "keyword":
            scores = {h.id: h.score for h in keyword}
        elif fusion == "rrf":
            scores = rrf([dense, keyword], s.rrf_k)
        elif fusion == "boosted":
            scores = boosted(dense, keyword, s.boost)
        else:
            scores = weighted(dense, keyword, s.alpha)
        by_id = {h.id: h for h in keyword} | {h.id: h for h in dense}
        cosine = {h.id: h.score for h in dense}
        best_cosine = max(cosine.values(), default=None)
        out: list[SearchHit] = []
        for hid in sorted(scores, key=lambda i: -scores[i]):
            sim = cosine.get(hid)
            # a keyword-only hit inherits the query's relevance gate (its best cosine);
            # pure keyword mode has no cosine at all, so no threshold applies
            gate = sim if sim is not None else best_cosine
            if threshold > 0 and fusion != "keyword" and (gate is None or gate < threshold):
                continue
            p = by_id[hid].payload
            out.append(
                SearchHit(
                    hid,
                    scores[hid],
                    sim,
                    p.content,
                    best_span(query, p.content),
                    p.document_id,
                    p.faq_id,
                    p.chunk_id,
                    p.metadata.get("page"),
                    p.metadata,
                )
            )
            if len(out) == k:
                break
        return out

    async def asearch(
        self, query: str, *, workspace_id: str, kb_id: str, k: int | None = None
    ) -> list[SearchHit]:
        """`search` in a worker thread, for async callers (the AI engine, the test panel)."""
        return await asyncio.to_thread(
            self.search, query, workspace_id=workspace_id, kb_id=kb_id, k=k
        )
