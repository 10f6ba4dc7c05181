"""The vector-store port: points with a tenant payload, dense search, keyword search, delete.

Every call takes a `VectorFilter` whose `workspace_id` is mandatory: no query can cross
workspaces by forgetting a filter. `kb_id` is required for search (stores keep one table or
collection per knowledge base, named by `collection_name`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class Payload:
    """What a point carries besides its vector; `content` is the text shown to the LLM."""

    workspace_id: str
    kb_id: str
    content: str
    document_id: str | None = None
    faq_id: str | None = None
    chunk_id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Point:
    id: str
    vector: Sequence[float]
    payload: Payload


@dataclass(frozen=True, slots=True)
class Hit:
    """A search result. `score` is cosine similarity (dense) or BM25 (keyword)."""

    id: str
    score: float
    payload: Payload


@dataclass(frozen=True, slots=True)
class VectorFilter:
    """Conjunctive filter; `None` fields are not constrained."""

    workspace_id: str
    kb_id: str | None = None
    document_id: str | None = None
    faq_id: str | None = None

    def matches(self, p: Payload) -> bool:
        return (
            p.workspace_id == self.workspace_id
            and (self.kb_id is None or p.kb_id == self.kb_id)
            and (self.document_id is None or p.document_id == self.document_id)
            and (self.faq_id is None or p.faq_id == self.faq_id)
        )

    def require_kb(self) -> str:
        if not self.kb_id:
            raise ValueError("a search needs kb_id in its filter")
        return self.kb_id


@runtime_checkable
class VectorStore(Protocol):
    """Where chunk and FAQ vectors live. Adapters: lancedb (default), qdrant, memory."""

    supports_keyword: bool

    def upsert(self, points: Sequence[Point]) -> None: ...

    def search(self, vector: Sequence[float], k: int, filter: VectorFilter) -> list[Hit]: ...

    def keyword_search(self, text: str, k: int, filter: VectorFilter) -> list[Hit]:
        """BM25 over `content`; raises NotImplementedError when `supports_keyword` is False."""
        ...

    def delete(self, filter: VectorFilter) -> int:
        """Remove every matching point; returns how many were removed."""
        ...

    def count(self, filter: VectorFilter) -> int: ...


_SAFE = re.compile(r"[^A-Za-z0-9_-]")


def collection_name(workspace_id: str, kb_id: str) -> str:
    """Seed §10's per-KB collection name: `ws_{workspaceId}_kb_{kbId}` (sanitised)."""
    return f"ws_{_SAFE.sub('_', workspace_id)}_kb_{_SAFE.sub('_', kb_id)}"


def workspace_prefix(workspace_id: str) -> str:
    return f"ws_{_SAFE.sub('_', workspace_id)}_kb_"
