"""Past its threshold a KB table gets an ANN index; results stay right, later rows included."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.vectors import Payload, Point, VectorFilter
from app.vectors.lancedb_store import LanceVectorStore


def test_ann_index_built_at_threshold_and_search_still_exact_enough(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    vecs = rng.standard_normal((3000, 32)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    store = LanceVectorStore(tmp_path, ann_threshold=2000)
    store.upsert(
        [
            Point(f"p{i}", v.tolist(), Payload("w", "k", f"text {i}", document_id="d"))
            for i, v in enumerate(vecs[:2500])
        ]
    )
    table = store._table("ws_w_kb_k")
    assert any("vector" in i.columns for i in table.list_indices())
    store.upsert(
        [
            Point(f"p{i}", v.tolist(), Payload("w", "k", f"text {i}", document_id="d2"))
            for i, v in enumerate(vecs[2500:], start=2500)
        ]
    )  # unindexed rows
    flt = VectorFilter("w", "k")
    found = 0
    for i in range(0, 3000, 100):
        hits = store.search(vecs[i].tolist(), 5, flt)
        found += hits[0].id == f"p{i}"
    assert found >= 28  # ≥ 93% exact self-match through the index
    assert store.search(vecs[2900].tolist(), 1, VectorFilter("w", "k", "d2"))[0].id == "p2900"
    assert store.count(flt) == 3000
