"""Indexing: chunk → embed in batches → upsert; FAQs as one unit; deletes by document/FAQ.

Returns `ChunkRecord`s so the service can write KBChunk rows (seed §5) with the same ids the
vector store uses (`qdrantId` = chunk id). Embedding happens before the old vectors of a
re-indexed document are deleted, so search keeps answering during the slow part.

Chunks are contextual: a first line "[title › heading path · p. N]" is part of the text that
is embedded and keyword-indexed, so "the comment deadline of the Boeing 737 MAX AD" can tell
that AD's chunk from the next notice's in the same issue, whose sentences are word for word
the same. `metadata["context"]` holds that line, so readers can quote the text without it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.domain.ids import new_id
from app.embeddings.base import Embeddings, batched
from app.rag.chunking import PageText, chunk_pages
from app.vectors.base import Payload, Point, VectorFilter, VectorStore

Progress = Callable[[int, int], None]  # (chunks embedded, total)
CONTEXT_TOKENS = 48  # room kept in a chunk for its context line
MAX_HEADINGS = 3
MAX_HEADING_CHARS = 90
# a document reports progress at least this often (given as many chunks): one batch of 32
# would hold a small document's bar at 0 until it is done. Smaller batches cost nothing
# measurable on CPU (tests/bench/RESULTS-hardux.md).
PROGRESS_STEPS = 20


@dataclass(frozen=True, slots=True)
class ChunkRecord:
    id: str
    document_id: str
    content: str
    chunk_index: int
    token_count: int
    metadata: dict[str, Any] = field(default_factory=dict)


def context_line(title: str | None, headings: Sequence[str] = (), page: int | None = None) -> str:
    """ "[title › heading › heading · p. 3]": where a chunk sits, in words a question may use."""
    path = [h.strip()[:MAX_HEADING_CHARS] for h in headings if h.strip()][-MAX_HEADINGS:]
    parts = [p for p in [(title or "").strip(), *path] if p]
    where = " › ".join(dict.fromkeys(parts))
    if page is not None:
        where = f"{where} · p. {page}" if where else f"p. {page}"
    return f"[{where}]" if where else ""


def strip_context(content: str, metadata: dict[str, Any] | None) -> str:
    """A chunk's own text, without the context line it was indexed with."""
    line = (metadata or {}).get("context")
    if line and content.startswith(line):
        return content[len(line) :].lstrip("\n")
    return content


def doc_title(name: str | None) -> str | None:
    """A document's title from its file name: the name without the extension."""
    if not name:
        return None
    stem = name.rsplit("/", 1)[-1]
    head, dot, ext = stem.rpartition(".")
    return head if dot and head and len(ext) <= 5 else stem


def index_document(
    pages: Sequence[PageText] | str,
    *,
    workspace_id: str,
    kb_id: str,
    document_id: str,
    embeddings: Embeddings,
    store: VectorStore,
    title: str | None = None,
    chunk_tokens: int = 500,
    overlap_tokens: int = 50,
    batch_size: int = 32,
    on_progress: Progress | None = None,
    make_id: Callable[[], str] = new_id,
) -> list[ChunkRecord]:
    """Replace the document's vectors with fresh chunks; returns the chunks written."""
    size = min(chunk_tokens, embeddings.max_tokens)
    size = max(size // 2, size - CONTEXT_TOKENS)
    chunks = chunk_pages(
        pages,
        embeddings.count_tokens,
        chunk_tokens=size,
        overlap_tokens=min(overlap_tokens, size // 4),
    )
    records = []
    for c in chunks:
        meta = dict(c.metadata)
        line = context_line(title, meta.get("headings", ()), meta.get("page"))
        content = f"{line}\n\n{c.content}" if line else c.content
        if line:
            meta["context"] = line
        if title:
            meta["title"] = title
        tokens = embeddings.count_tokens(content) if line else c.token_count
        records.append(ChunkRecord(make_id(), document_id, content, c.index, tokens, meta))
    vectors: list[list[float]] = []
    step = max(1, min(batch_size, math.ceil(len(records) / PROGRESS_STEPS)))
    # a whole number of rounds for an engine that embeds `parallel` batches at once (ONNX
    # Runtime: one per core): 7 chunks on 2 workers leave one idle for the 4th round
    parallel = max(1, int(getattr(embeddings, "parallel", 1)))
    step = math.ceil(step / parallel) * parallel
    if on_progress:
        on_progress(0, len(records))  # the total is known: the work ahead can be shown
    for batch in batched([r.content for r in records], step):
        vectors.extend(embeddings.embed_documents(batch))
        if on_progress:
            on_progress(len(vectors), len(records))
    store.delete(VectorFilter(workspace_id, kb_id, document_id=document_id))
    store.upsert(
        [
            Point(
                r.id,
                v,
                Payload(
                    workspace_id=workspace_id,
                    kb_id=kb_id,
                    content=r.content,
                    document_id=document_id,
                    chunk_id=r.id,
                    metadata=r.metadata,
                ),
            )
            for r, v in zip(records, vectors, strict=True)
        ]
    )
    return records


def faq_text(question: str, answer: str) -> str:
    return f"Q: {question.strip()}\nA: {answer.strip()}"


def faq_vectors(pairs: Sequence[tuple[str, str]], embeddings: Embeddings) -> list[list[float]]:
    """One vector per FAQ: the normalised mean of its question's and its whole Q+A text's.

    Users paraphrase the *question*; a long answer drowns it in a Q+A embedding (e5 StackFAQ
    R@1 0.757 with Q+A alone, 0.870 question alone, 0.920 with the mean; R@5 0.943 / 0.973 /
    0.990 — tests/bench/RESULTS.md). The unit stays one point; BM25 still sees the answer.
    """
    texts = [q for q, _ in pairs] + [faq_text(q, a) for q, a in pairs]
    vecs = embeddings.embed_documents(texts)
    out = []
    for qv, fv in zip(vecs[: len(pairs)], vecs[len(pairs) :], strict=True):
        mean = [x + y for x, y in zip(qv, fv, strict=True)]
        norm = sum(v * v for v in mean) ** 0.5 or 1.0
        out.append([v / norm for v in mean])
    return out


def index_faq(
    question: str,
    answer: str,
    *,
    workspace_id: str,
    kb_id: str,
    faq_id: str,
    embeddings: Embeddings,
    store: VectorStore,
) -> str:
    """Index one FAQ as a single unit (question + answer); returns its point id."""
    content = faq_text(question, answer)
    point_id = f"faq_{faq_id}"
    store.upsert(
        [
            Point(
                point_id,
                faq_vectors([(question, answer)], embeddings)[0],
                Payload(
                    workspace_id=workspace_id,
                    kb_id=kb_id,
                    content=content,
                    faq_id=faq_id,
                    metadata={"type": "faq"},
                ),
            )
        ]
    )
    return point_id


def delete_document(store: VectorStore, *, workspace_id: str, kb_id: str, document_id: str) -> int:
    return store.delete(VectorFilter(workspace_id, kb_id, document_id=document_id))


def delete_faq(store: VectorStore, *, workspace_id: str, kb_id: str, faq_id: str) -> int:
    return store.delete(VectorFilter(workspace_id, kb_id, faq_id=faq_id))


def delete_knowledge_base(store: VectorStore, *, workspace_id: str, kb_id: str) -> int:
    return store.delete(VectorFilter(workspace_id, kb_id))
