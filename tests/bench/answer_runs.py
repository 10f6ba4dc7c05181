"""One answer-benchmark run over a set: index it for real, then ask every question.

The knowledge base is built with the production code (extraction of the real files, contextual
chunks, FAQ vectors, LanceDB in a temp dir); each question goes through `Retriever.candidates`
and the `Answerer`, exactly as the engine does it. Embeddings are cached on disk under
$AIMY_BENCH_CACHE (default /tmp/aimy-bench) — the machine is shared and re-runs should not
re-embed the eval sets; latency is measured separately, without that cache.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from app.answers.answerer import Answerer
from app.answers.evidence import Evidence, query_embedder
from app.rag import RetrievalSettings, Retriever, index_document, index_faq
from app.rag.extract import extract, sniff_type
from app.rag.indexing import strip_context
from app.vectors.lancedb_store import LanceVectorStore
from tests.bench.answer_sets import AnswerSet, Question

WS, KB = "bench", "kb"


def cache_dir() -> Path:
    return Path(os.environ.get("AIMY_BENCH_CACHE", "/tmp/aimy-bench"))


class CachedEmbeddings:
    """An embedder whose vectors are remembered by text, on disk between runs."""

    def __init__(self, inner: Any, path: Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.max_tokens = inner.max_tokens
        self.path = path
        self._store: dict[str, np.ndarray] = {}
        if path.exists():
            self._store = pickle.loads(path.read_bytes())
        self._dirty = False

    @staticmethod
    def _key(kind: str, text: str) -> str:
        return hashlib.sha1(f"{kind}\0{text}".encode()).hexdigest()

    def count_tokens(self, text: str) -> int:
        return int(self.inner.count_tokens(text))

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        keys = [self._key("p", t) for t in texts]
        missing = [i for i, k in enumerate(keys) if k not in self._store]
        if missing:
            fresh = self.inner.embed_documents([texts[i] for i in missing])
            for i, v in zip(missing, fresh, strict=True):
                self._store[keys[i]] = np.asarray(v, dtype=np.float32)
            self._dirty = True
        return [self._store[k].tolist() for k in keys]

    def embed_query(self, text: str) -> list[float]:
        key = self._key("q", text)
        if key not in self._store:
            self._store[key] = np.asarray(self.inner.embed_query(text), dtype=np.float32)
            self._dirty = True
        return self._store[key].tolist()

    def save(self) -> None:
        if self._dirty:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_bytes(pickle.dumps(self._store))
            tmp.replace(self.path)
            self._dirty = False


@dataclass
class Asked:
    question: Question
    evidence: Evidence
    language: str | None


@dataclass
class Built:
    set: AnswerSet
    retriever: Retriever
    titles: dict[str, str]
    asked: list[Asked] = field(default_factory=list)
    passages: list[list[str]] = field(default_factory=list)  # per document, its chunks' text


def build(s: AnswerSet, embeddings: Any) -> Built:
    """Index the set's documents and FAQs into a fresh LanceDB."""
    store = LanceVectorStore(tempfile.mkdtemp(prefix=f"bench-answers-{s.name}-"))
    titles: dict[str, str] = {}
    passages: list[list[str]] = []
    for doc in s.docs:
        titles[doc.id] = doc.title
        if doc.path is not None:
            data = doc.path.read_bytes()
            pages: Any = extract(data, sniff_type(data, doc.path.name))
        else:
            pages = doc.text or ""
        records = index_document(
            pages,
            workspace_id=WS,
            kb_id=KB,
            document_id=doc.id,
            embeddings=embeddings,
            store=store,
            title=doc.title,
        )
        passages.append([strip_context(r.content, r.metadata) for r in records])
    for fid, (q, a) in s.faqs.items():
        index_faq(q, a, workspace_id=WS, kb_id=KB, faq_id=fid, embeddings=embeddings, store=store)
    return Built(s, Retriever(embeddings, store, RetrievalSettings()), titles, passages=passages)


def ask_all(
    built: Built, answerer: Answerer, embeddings: Any, questions: list[Question] | None = None
) -> None:
    """Evidence for every question (in memory: the fit script re-reads it many times)."""
    from app.ai.signals import detect_language

    for q in questions if questions is not None else built.set.questions:
        found = built.retriever.candidates(q.text, workspace_id=WS, kb_id=KB)
        ev = answerer.evidence(
            q.text,
            found,
            embed=embeddings.embed_documents,
            embedder=embeddings.name,
            titles=built.titles,
            embed_queries=query_embedder(embeddings.embed_query),
        )
        built.asked.append(Asked(q, ev, detect_language(q.text)))


def latency(
    built: Built,
    answerer: Answerer,
    inner: Any,
    questions: list[Question],
    warm: Any = None,
) -> list[float]:
    """Seconds per question for the whole path — query embedding, both searches, reading,
    scoring — with the real embedder (no disk cache): with a cold sentence cache, or with the
    one indexing leaves behind (`warm`: the embedder indexing used, Answerer.warm per document;
    its cost is indexing time, not a customer's wait)."""
    from app.ai.signals import detect_language

    retriever = Retriever(inner, built.retriever.store, RetrievalSettings())
    fresh = Answerer(answerer.reader)
    if warm is not None:
        for passages in built.passages:
            fresh.warm(passages, warm.embed_documents)
        # the background baseline: embedded once per process, at its first question
        found = retriever.candidates("warm", workspace_id=WS, kb_id=KB)
        embed_queries = query_embedder(inner.embed_query)
        fresh.evidence("warm", found, embed=inner.embed_documents, embedder=inner.name,
                       embed_queries=embed_queries)  # fmt: skip
    out = []
    for q in questions:
        started = time.perf_counter()
        found = retriever.candidates(q.text, workspace_id=WS, kb_id=KB)
        ev = fresh.evidence(
            q.text,
            found,
            embed=inner.embed_documents,
            embedder=inner.name,
            titles=built.titles,
            embed_queries=query_embedder(inner.embed_query),
        )
        language = detect_language(q.text)
        fresh.answer(ev, language, detect_language)
        out.append(time.perf_counter() - started)
    return out
