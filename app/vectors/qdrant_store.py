"""Qdrant adapter (server mode in production; tests use qdrant-client's local mode).

One collection per knowledge base (seed §10), cosine distance. Keyword search is BM25 the way
Qdrant recommends it: a sparse vector per point holding each term's saturated term frequency
(computed here with our shared tokenizer), and the server applying IDF (`Modifier.IDF`).
Qdrant ids must be ints or UUIDs, so our string ids map to UUIDv5 and travel in the payload.
"""

from __future__ import annotations

import uuid
import warnings
import zlib
from collections import Counter
from collections.abc import Sequence
from typing import Any

from app.vectors.base import Hit, Payload, Point, VectorFilter, collection_name, workspace_prefix
from app.vectors.lexical import tokenize

_NS = uuid.UUID("6b0e6c1e-3f1c-4d7a-9d8e-8a2f4c1b9e10")
_FIELDS = ("workspace_id", "kb_id", "document_id", "faq_id", "chunk_id")
_K1, _B, _AVGDL = 1.2, 0.75, 256.0  # avg length fixed: chunks are sized to ~this many tokens


def _sparse(text: str, *, query: bool) -> tuple[list[int], list[float]]:
    counts = Counter(zlib.crc32(t.encode()) for t in tokenize(text))
    if query:
        return list(counts), [1.0] * len(counts)
    dl = sum(counts.values())
    norm = _K1 * (1 - _B + _B * dl / _AVGDL)
    return list(counts), [tf * (_K1 + 1) / (tf + norm) for tf in counts.values()]


class QdrantVectorStore:
    """A `QdrantClient` (url=… for a server, path=… or ":memory:" for local mode)."""

    supports_keyword = True

    def __init__(
        self,
        client: Any | None = None,
        *,
        url: str | None = None,
        path: str | None = None,
        api_key: str | None = None,
    ) -> None:
        from qdrant_client import QdrantClient, models

        self._m = models
        if client is None:
            client = (
                QdrantClient(url=url, api_key=api_key)
                if url
                else QdrantClient(path=path or ":memory:")
            )
        self._c = client

    def _filter(self, f: VectorFilter) -> Any:
        m = self._m
        must = [
            m.FieldCondition(key=n, match=m.MatchValue(value=getattr(f, n)))
            for n in ("workspace_id", "kb_id", "document_id", "faq_id")
            if getattr(f, n) is not None
        ]
        return m.Filter(must=must)

    def _ensure(self, name: str, dim: int) -> None:
        if self._c.collection_exists(name):
            return
        m = self._m
        self._c.create_collection(
            name,
            vectors_config={"dense": m.VectorParams(size=dim, distance=m.Distance.COSINE)},
            sparse_vectors_config={"bm25": m.SparseVectorParams(modifier=m.Modifier.IDF)},
        )
        with warnings.catch_warnings():  # local mode ignores payload indexes and says so
            warnings.simplefilter("ignore", UserWarning)
            for field in _FIELDS[:4]:
                self._c.create_payload_index(name, field, m.PayloadSchemaType.KEYWORD)

    def upsert(self, points: Sequence[Point]) -> None:
        m = self._m
        groups: dict[str, list[Any]] = {}
        dims: dict[str, int] = {}
        for p in points:
            name = collection_name(p.payload.workspace_id, p.payload.kb_id)
            dims.setdefault(name, len(p.vector))
            idx, vals = _sparse(p.payload.content, query=False)
            payload = {n: getattr(p.payload, n) for n in _FIELDS}
            payload.update(id=p.id, content=p.payload.content, metadata=p.payload.metadata)
            groups.setdefault(name, []).append(
                m.PointStruct(
                    id=str(uuid.uuid5(_NS, p.id)),
                    payload=payload,
                    vector={
                        "dense": [float(x) for x in p.vector],
                        "bm25": m.SparseVector(indices=idx, values=vals),
                    },
                )
            )
        for name, structs in groups.items():
            self._ensure(name, dims[name])
            self._c.upsert(name, structs, wait=True)

    @staticmethod
    def _hit(sp: Any) -> Hit:
        pl = dict(sp.payload)
        payload = Payload(
            workspace_id=pl["workspace_id"],
            kb_id=pl["kb_id"],
            content=pl["content"],
            document_id=pl.get("document_id"),
            faq_id=pl.get("faq_id"),
            chunk_id=pl.get("chunk_id"),
            metadata=pl.get("metadata") or {},
        )
        return Hit(pl["id"], float(sp.score), payload)

    def _query(self, query: Any, using: str, k: int, f: VectorFilter) -> list[Hit]:
        name = collection_name(f.workspace_id, f.require_kb())
        if k <= 0 or not self._c.collection_exists(name):
            return []
        res = self._c.query_points(
            name, query=query, using=using, limit=k, query_filter=self._filter(f), with_payload=True
        )
        return [self._hit(p) for p in res.points]

    def search(self, vector: Sequence[float], k: int, filter: VectorFilter) -> list[Hit]:
        return self._query([float(x) for x in vector], "dense", k, filter)

    def keyword_search(self, text: str, k: int, filter: VectorFilter) -> list[Hit]:
        idx, vals = _sparse(text, query=True)
        if not idx:
            return []
        hits = self._query(self._m.SparseVector(indices=idx, values=vals), "bm25", k, filter)
        return [h for h in hits if h.score > 0]

    def _targets(self, f: VectorFilter) -> list[str]:
        if f.kb_id is not None:
            name = collection_name(f.workspace_id, f.kb_id)
            return [name] if self._c.collection_exists(name) else []
        prefix = workspace_prefix(f.workspace_id)
        return [c.name for c in self._c.get_collections().collections if c.name.startswith(prefix)]

    def delete(self, filter: VectorFilter) -> int:
        removed = 0
        for name in self._targets(filter):
            flt = self._filter(filter)
            n = self._c.count(name, count_filter=flt, exact=True).count
            if n:
                self._c.delete(name, points_selector=self._m.FilterSelector(filter=flt), wait=True)
                removed += n
        return removed

    def count(self, filter: VectorFilter) -> int:
        return sum(
            self._c.count(n, count_filter=self._filter(filter), exact=True).count
            for n in self._targets(filter)
        )
