"""How the engine reads knowledge: the `KnowledgeSearch` port and its two implementations.

`RetrieverSearch` asks the vector/hybrid retriever (`app/rag`) on the workspace's default KB.
Its `evidence` gives the answers package (app/answers) every candidate, unthresholded, with the
query vector and the embedder: the reader and the calibrated scorer decide, not a cosine gate.
It falls back to `KeywordSearch` — the database alone (FAQ rows, then indexed chunk text) with
word-overlap scores in 0..1 — when the workspace has no default KB yet, when nothing is
indexed, or when the embedding model cannot load (missing extra, no disk): a fresh install with
a few FAQs answers sensibly before any embedding model is set up, and the bot keeps answering
from FAQs rather than erroring.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any, Protocol

from app.answers import stored_units
from app.answers.answerer import Answerer
from app.answers.evidence import Evidence, from_passages, query_embedder
from app.answers.text import units
from app.db.repos import ai as repo
from app.db.repos import unit_vectors
from app.llm import Passage
from app.rag.indexing import doc_title, strip_context
from app.rag.retrieval import Candidates
from app.rag.runtime import KnowledgeRuntime

log = logging.getLogger(__name__)

_WORD = re.compile(r"[^\W_]{2,}", re.UNICODE)
# fmt: off
_STOP = frozenset({
    "the", "and", "for", "are", "you", "your", "our", "with", "what", "how", "can", "does",
    "have", "this", "that", "from", "when", "where", "which", "who", "why", "will", "would",
    "there", "their", "about", "into", "any", "all", "was", "were", "has", "had", "not", "but",
    "is", "it", "do", "to", "of", "in", "on", "at", "me", "my", "we", "be", "a", "an", "or",
    "hi", "hello", "please", "tell", "know", "want", "need", "get", "us", "i",
})
# fmt: on
CHUNK_WEIGHT = 0.85  # raw passages rank a little below curated FAQ answers


def stem(word: str) -> str:
    """A crude English-leaning suffix strip: enough for "opening"/"opens"/"opened" to meet."""
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def terms(text: str) -> set[str]:
    return {stem(w) for w in (m.casefold() for m in _WORD.findall(text)) if w not in _STOP}


def score(query: set[str], question: set[str], body: set[str]) -> float:
    """Dice overlap with the question, or the share of the query the body covers (damped)."""
    if not query:
        return 0.0
    q_hit = 2 * len(query & question) / (len(query) + len(question)) if question else 0.0
    b_hit = len(query & body) / len(query) * 0.7 if body else 0.0
    return round(min(1.0, max(q_hit, b_hit)), 4)


class KnowledgeSearch(Protocol):
    async def search(
        self,
        workspace_id: str,
        query: str,
        k: int = 5,
        threshold: float = 0.0,
        kb_id: str | None = None,
    ) -> list[Passage]:
        """Top-`k` passages at or above `threshold`, best first; from `kb_id` (a flow's `ai`
        node may name one) or the workspace's default knowledge base."""
        ...

    async def evidence(self, workspace_id: str, query: str, kb_id: str | None = None) -> Evidence:
        """Everything retrieval found for `query` (no threshold), for the reader and scorer;
        `kb_id` None means the workspace's default knowledge base."""
        ...

    @property
    def min_score(self) -> float:
        """The relevance gate on cosines for passages shown to a model."""
        ...


class KeywordSearch:
    """FAQ + chunk keyword overlap straight from the database (no index, no model)."""

    min_score = 0.0

    def __init__(self, max_chunks: int = 5000) -> None:
        self.max_chunks = max_chunks

    async def evidence(self, workspace_id: str, query: str, kb_id: str | None = None) -> Evidence:
        hits = await self.search(workspace_id, query, k=20, kb_id=kb_id)
        return from_passages(query, hits)

    async def search(
        self,
        workspace_id: str,
        query: str,
        k: int = 5,
        threshold: float = 0.0,
        kb_id: str | None = None,
    ) -> list[Passage]:
        wanted = terms(query)
        if not wanted:
            return []
        faqs = await repo.faqs(workspace_id, kb_id)
        chunks = await repo.chunks(workspace_id, self.max_chunks, kb_id)
        # scoring is CPU work proportional to the rows: keep it off the event loop
        return await asyncio.to_thread(rank, wanted, faqs, chunks, k, threshold)


def rank(
    wanted: set[str],
    faqs: list[dict[str, Any]],
    chunks: list[dict[str, Any]],
    k: int,
    threshold: float,
) -> list[Passage]:
    """The top-`k` FAQ and chunk rows for the query terms, at or above `threshold`."""
    hits: list[Passage] = []
    for faq in faqs:
        s = score(wanted, terms(faq["question"]), terms(faq["answer"]))
        if s >= threshold and s > 0:
            hits.append(
                Passage(
                    id=faq["id"],
                    text=f"Q: {faq['question']}\nA: {faq['answer']}",
                    score=s,
                    kind="faq",
                    question=faq["question"],
                    answer=faq["answer"],
                )
            )
    for chunk in chunks:
        s = round(score(wanted, set(), terms(chunk["content"])) * CHUNK_WEIGHT, 4)
        if s >= threshold and s > 0:
            hits.append(Passage(id=chunk["id"], text=chunk["content"], score=s))
    hits.sort(key=lambda p: -p.score)
    return hits[:k]


async def restore_units(
    answerer: Answerer, workspace_id: str, found: Candidates, model: str
) -> int:
    """Bring the stored sentence vectors of the retrieved chunks the reader's cache lacks
    (after a restart, or a document indexed on another node) — one read, instead of embedding
    them while the customer waits. Best effort: returns how many units were restored."""
    texts = {
        h.chunk_id: strip_context(h.content, h.metadata)
        for h in found.hits
        if h.chunk_id and not h.faq_id
    }
    cold = [cid for cid, text in texts.items() if answerer.vectors.missing(units(text))]
    if not cold:
        return 0
    try:
        rows = await unit_vectors.load(workspace_id, cold)
    except Exception as exc:  # a cold cache only costs time
        log.warning("stored sentence vectors unavailable: %s", exc)
        return 0
    return sum(
        stored_units.restore(
            answerer.vectors, model, texts[r["id"]], r["unit_vectors"], r["unit_digest"]
        )
        for r in rows
    )


async def _titles(workspace_id: str, found: Candidates) -> dict[str, str]:
    """Document titles of hits indexed before chunks carried their title."""
    missing = {h.document_id for h in found.hits if h.document_id and not h.metadata.get("title")}
    names = await repo.document_names(workspace_id, sorted(missing))
    return {i: doc_title(name) or name for i, name in names.items()}


class RetrieverSearch:
    """The vector/hybrid retriever on the workspace's default KB, else `KeywordSearch`."""

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
        kb = kb_id or await repo.default_kb_id(workspace_id)
        if kb is None:
            return await self.fallback.evidence(workspace_id, query, kb_id)
        try:
            retriever = await self.runtime.aretriever()  # first load off the event loop
            found = await asyncio.to_thread(
                retriever.candidates, query, workspace_id=workspace_id, kb_id=kb
            )
        except Exception as exc:  # model or store unavailable: degrade, don't fail the reply
            log.warning("vector retrieval unavailable, using keyword search: %s", exc)
            return await self.fallback.evidence(workspace_id, query, kb_id)
        if not found.hits:
            return await self.fallback.evidence(workspace_id, query, kb_id)
        titles = await _titles(workspace_id, found)
        await restore_units(self.answerer, workspace_id, found, retriever.embeddings.name)
        # the reader's sentences go through the question's engine (never the indexing model's
        # load on the answer path: issue 13); most are cached already, embedded at indexing by
        # the indexing model — the same weights, cosine >= 0.9999
        embeddings = retriever.embeddings
        return await asyncio.to_thread(
            self.answerer.evidence,
            query,
            found,
            embed=embeddings.embed_documents,
            embedder=embeddings.name,
            titles=titles,
            embed_queries=query_embedder(retriever.embeddings.embed_query),
        )

    async def search(
        self,
        workspace_id: str,
        query: str,
        k: int = 5,
        threshold: float = 0.0,
        kb_id: str | None = None,
    ) -> list[Passage]:
        kb_id = kb_id or await repo.default_kb_id(workspace_id)
        if kb_id is None:
            return await self.fallback.search(workspace_id, query, k, threshold, kb_id)
        try:
            hits = await (await self.runtime.aretriever()).asearch(
                query, workspace_id=workspace_id, kb_id=kb_id, k=k
            )
        except Exception as exc:  # model or store unavailable: degrade, don't fail the reply
            log.warning("vector retrieval unavailable, using keyword search: %s", exc)
            return await self.fallback.search(workspace_id, query, k, threshold, kb_id)
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
            return await self.fallback.search(workspace_id, query, k, threshold, kb_id)
        return out
