"""In-process brute-force store (numpy): exact, no persistence. For tests and tiny installs."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from app.vectors.base import Hit, Payload, Point, VectorFilter
from app.vectors.lexical import bm25_scores, tokenize


class MemoryVectorStore:
    """Dict of points; search scans the filtered points with one matrix product."""

    supports_keyword = True

    def __init__(self) -> None:
        self._points: dict[str, tuple[np.ndarray, Payload, list[str]]] = {}
        self._lock = threading.Lock()

    def upsert(self, points: Sequence[Point]) -> None:
        with self._lock:
            for p in points:
                vec = np.asarray(p.vector, dtype=np.float32)
                norm = float(np.linalg.norm(vec)) or 1.0
                self._points[p.id] = (vec / norm, p.payload, tokenize(p.payload.content))

    def _select(self, f: VectorFilter) -> list[tuple[str, np.ndarray, Payload, list[str]]]:
        with self._lock:
            return [(i, v, p, t) for i, (v, p, t) in self._points.items() if f.matches(p)]

    def search(self, vector: Sequence[float], k: int, filter: VectorFilter) -> list[Hit]:
        filter.require_kb()
        rows = self._select(filter)
        if not rows or k <= 0:
            return []
        q = np.asarray(vector, dtype=np.float32)
        q = q / (float(np.linalg.norm(q)) or 1.0)
        scores = np.stack([r[1] for r in rows]) @ q
        order = np.argsort(-scores)[:k]
        return [Hit(rows[i][0], float(scores[i]), rows[i][2]) for i in order]

    def keyword_search(self, text: str, k: int, filter: VectorFilter) -> list[Hit]:
        filter.require_kb()
        rows = self._select(filter)
        query = tokenize(text)
        if not rows or not query or k <= 0:
            return []
        scores = bm25_scores(query, [r[3] for r in rows])
        ranked = sorted(range(len(rows)), key=lambda i: -scores[i])
        return [Hit(rows[i][0], scores[i], rows[i][2]) for i in ranked[:k] if scores[i] > 0]

    def delete(self, filter: VectorFilter) -> int:
        with self._lock:
            doomed = [i for i, (_, p, _) in self._points.items() if filter.matches(p)]
            for i in doomed:
                del self._points[i]
            return len(doomed)

    def count(self, filter: VectorFilter) -> int:
        return len(self._select(filter))
