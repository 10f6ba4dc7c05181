"""What the reader and the scorer see for one question: the retrieval candidates (FAQs and
chunks, fused order, no threshold), the query vector, and the query's baseline similarity.

The baseline is why a raw cosine means little: multilingual-e5 puts any two texts at 0.75-0.95,
and where in that band a question's *unrelated* texts sit depends on the question (its length,
its language). Each question is therefore also compared with a fixed set of everyday sentences
in several languages that no knowledge base is about (`BACKGROUND`); scores are read relative
to that baseline and to the spread of the question's own candidates.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from app.answers.terms import stems
from app.llm.base import Passage
from app.rag.indexing import strip_context
from app.rag.retrieval import Candidates, SearchHit

Embed = Callable[[Sequence[str]], list[list[float]]]  # passage-side vectors, unit length

# fmt: off
BACKGROUND = (
    "The weather was sunny in the morning and it rained in the afternoon.",
    "She bought fresh vegetables and bread at the market on Saturday.",
    "The football match ended in a draw after extra time.",
    "Our cat likes to sleep on the windowsill all day.",
    "He learned to play the guitar when he was twelve years old.",
    "The museum opens a new exhibition about ancient pottery next month.",
    "Traffic on the highway was heavy because of road works.",
    "The recipe needs two eggs, a cup of flour and some butter.",
    "The train to the coast leaves every hour from platform four.",
    "Children in the village walk to school along the river.",
    "The company released a software update for its phones.",
    "Mountains in the north are covered with snow in winter.",
    "El restaurante de la esquina sirve paella los domingos.",
    "Mañana vamos a visitar a mis abuelos en el campo.",
    "La biblioteca municipal cierra a las ocho de la tarde.",
    "Le boulanger ouvre sa boutique tôt le matin.",
    "Nous avons passé les vacances au bord de la mer.",
    "Der Zug nach Berlin hatte heute zwanzig Minuten Verspätung.",
    "Im Garten blühen im Frühling viele bunte Blumen.",
    "O mercado da cidade vende frutas frescas todos os dias.",
    "Il concerto in piazza è stato rinviato per la pioggia.",
    "आज सुबह बाज़ार में बहुत भीड़ थी।",
    "बच्चे शाम को पार्क में क्रिकेट खेलते हैं।",
    "मेरी दादी हर रविवार को खीर बनाती हैं।",
    "ذهبنا إلى البحر في عطلة نهاية الأسبوع.",
    "المكتبة العامة تفتح أبوابها في الساعة التاسعة صباحا.",
    "يحب أخي قراءة الروايات قبل النوم.",
    "Kereta api ke Bandung berangkat setiap jam.",
    "Bugün hava çok güzel, parka gidelim.",
    "Сегодня в парке проходит городской праздник.",
    "今天下午我们去公园散步。",
    "明日は友達と映画を見に行きます。",
)
# fmt: on


@dataclass(frozen=True, slots=True)
class Candidate:
    id: str  # the point id (chunk id, or faq_<id>)
    source_id: str  # the document or FAQ it belongs to
    kind: Literal["faq", "chunk"]
    text: str  # a chunk's own text, or an FAQ's answer
    context: str  # a chunk's context line (title › headings · page); "" for FAQs
    question: str | None  # an FAQ's question
    title: str | None
    page: int | None
    cosine: float | None  # query ↔ point, when the dense side saw it
    keyword: float  # BM25 / the query's best BM25
    terms: frozenset[str] = frozenset()  # stems of `searchable`, computed once
    page_end: int | None = None

    @property
    def searchable(self) -> str:
        """All the words this candidate was found by."""
        if self.kind == "faq":
            return f"{self.question or ''}\n{self.text}"
        return f"{self.context}\n{self.text}"

    def with_terms(self) -> Candidate:
        return dataclasses.replace(self, terms=frozenset(stems(self.searchable)))


@dataclass(frozen=True, slots=True)
class Evidence:
    question: str
    candidates: tuple[Candidate, ...]  # fused order
    query_vector: np.ndarray | None  # unit length
    embed: Embed | None  # None: keyword-only retrieval, no model
    embedder: str  # the embedding model's name: it picks the calibrated coefficients
    baseline: float | None  # the query's mean cosine to BACKGROUND
    spread: tuple[float, float] | None  # mean and std of the query's dense candidate cosines
    # query-side vectors for texts compared symmetrically (an FAQ's question ↔ the question)
    embed_queries: Embed | None = None
    query_baseline: float | None = None  # the query's mean cosine to BACKGROUND as queries

    @property
    def faqs(self) -> list[Candidate]:
        return [c for c in self.candidates if c.kind == "faq"]

    @property
    def chunks(self) -> list[Candidate]:
        return [c for c in self.candidates if c.kind == "chunk"]


class Baselines:
    """`BACKGROUND`'s vectors per embedder, computed once (a few ms) and kept."""

    def __init__(self) -> None:
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def baseline(self, embedder: str, embed: Embed, query: np.ndarray) -> float:
        with self._lock:
            matrix = self._vectors.get(embedder)
        if matrix is None:
            matrix = np.asarray(embed(list(BACKGROUND)), dtype=np.float32)
            with self._lock:
                self._vectors[embedder] = matrix
        return float(np.mean(matrix @ query))


def query_embedder(embed_query: Callable[[str], list[float]]) -> Embed:
    """A batch embedder from a one-text query embedder."""
    return lambda texts: [embed_query(t) for t in texts]


def candidate_of(hit: SearchHit, titles: dict[str, str]) -> Candidate:
    """A retrieval hit as a reader candidate (FAQ content "Q: …\\nA: …" split in two)."""
    meta = hit.metadata or {}
    if hit.faq_id and "\nA: " in hit.content:
        question, answer = hit.content.split("\nA: ", 1)
        return Candidate(
            id=hit.faq_id,  # the FAQ row: what replies cite (kbChunksUsed) and sources name
            source_id=hit.faq_id,
            kind="faq",
            text=answer.strip(),
            context="",
            question=question.removeprefix("Q: ").strip(),
            title=None,
            page=None,
            cosine=hit.similarity,
            keyword=hit.keyword,
        )
    document_id = hit.document_id or ""
    title = meta.get("title") or titles.get(document_id)
    page = meta.get("page")
    page_end = meta.get("page_end")
    return Candidate(
        id=hit.chunk_id or hit.id,
        source_id=document_id or hit.id,
        kind="chunk",
        text=strip_context(hit.content, meta),
        context=str(meta.get("context") or ""),
        question=None,
        title=str(title) if title else None,
        page=page if isinstance(page, int) else None,
        cosine=hit.similarity,
        keyword=hit.keyword,
        page_end=page_end if isinstance(page_end, int) else None,
    )


def gather(
    question: str,
    found: Candidates,
    *,
    embed: Embed | None,
    embedder: str,
    baselines: Baselines,
    titles: dict[str, str] | None = None,
    embed_queries: Embed | None = None,
) -> Evidence:
    """Evidence from one `Retriever.candidates` call. Blocking (embeds the background once)."""
    titles = titles or {}
    vector = None
    baseline = None
    query_baseline = None
    spread = None
    if found.query_vector is not None and embed is not None:
        vector = np.asarray(found.query_vector, dtype=np.float32)
        baseline = baselines.baseline(embedder, embed, vector)
        if embed_queries is not None:
            query_baseline = baselines.baseline(f"{embedder}#query", embed_queries, vector)
        dense = [h.similarity for h in found.hits if h.similarity is not None]
        if dense:
            spread = (float(np.mean(dense)), float(np.std(dense)))
    return Evidence(
        question,
        tuple(candidate_of(h, titles).with_terms() for h in found.hits),
        vector,
        embed,
        embedder,
        baseline,
        spread,
        embed_queries if vector is not None else None,
        query_baseline,
    )


def from_passages(question: str, passages: Sequence[Passage]) -> Evidence:
    """Evidence from keyword-only hits (no index, no model): the lexical calibrator applies."""
    candidates = []
    for p in passages:
        faq = p.kind == "faq"
        candidates.append(
            Candidate(
                id=p.id,
                source_id=p.id,
                kind="faq" if faq else "chunk",
                text=(p.answer or p.text) if faq else p.text,
                context="",
                question=p.question if faq else None,
                title=None,
                page=None,
                cosine=None,
                keyword=p.score,
            ).with_terms()
        )
    return Evidence(question, tuple(candidates), None, None, "keyword", None, None)


def prompt_passages(ev: Evidence, k: int, min_cosine: float = 0.0) -> list[Passage]:
    """The candidates a model's prompt shows: the first `k` in fused order whose cosine clears
    the retriever's relevance gate (keyword-only candidates always do)."""
    out: list[Passage] = []
    for c in ev.candidates:
        if c.cosine is not None and c.cosine < min_cosine:
            continue
        score = c.cosine if c.cosine is not None else c.keyword
        if c.kind == "faq":
            text = f"Q: {c.question}\nA: {c.text}"
            out.append(Passage(c.id, text, score, "faq", c.question, c.text))
        else:
            text = f"{c.context}\n{c.text}" if c.context else c.text
            out.append(Passage(c.id, text, score))
        if len(out) == k:
            break
    return out
