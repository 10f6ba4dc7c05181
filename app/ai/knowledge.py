"""The retrieval port the engine reads knowledge through, and an offline keyword implementation.

The knowledge-base issue provides the vector/hybrid retriever; this `KeywordSearch` works from
the database alone (FAQ rows, then indexed chunk text) with word-overlap scores in 0..1, so a
fresh install with a few FAQs answers sensibly before any embedding model is set up.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any, Protocol

from app.answers.evidence import Evidence, from_passages
from app.db.repos import ai as repo
from app.llm import Passage

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
        self, workspace_id: str, query: str, k: int = 5, threshold: float = 0.0
    ) -> list[Passage]:
        """Top-`k` passages at or above `threshold`, best first."""
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
        hits = await self.search(workspace_id, query, k=20)
        return from_passages(query, hits)

    async def search(
        self, workspace_id: str, query: str, k: int = 5, threshold: float = 0.0
    ) -> list[Passage]:
        wanted = terms(query)
        if not wanted:
            return []
        faqs = await repo.faqs(workspace_id)
        chunks = await repo.chunks(workspace_id, self.max_chunks)
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
