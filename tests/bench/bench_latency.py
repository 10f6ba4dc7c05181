"""Retrieval latency with the workspace+KB filter at 10k and 100k chunks (384 dims, k=5).

Run: python -m tests.bench.bench_latency [--sizes 10000,100000] [--queries 200]
Layouts compared (this is the measurement behind LanceVectorStore's table-per-KB choice):
  per-kb/10kbs   our adapter, N chunks spread over 10 KBs, query one KB (N/10 rows scanned)
  per-kb/1kb     our adapter, all N chunks in the one KB queried (worst case)
  shared/10kbs   one shared LanceDB table of N rows, SQL prefilter on workspace_id+kb_id
Keyword (BM25 full-text) latency is measured on the per-KB layout too.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable

import numpy as np

from app.vectors.base import VectorFilter, collection_name
from app.vectors.lancedb_store import LanceVectorStore, _schema
from app.vectors.lexical import terms_text

DIM = 384
_VOCAB = [f"w{i}" for i in range(5000)]


_CENTERS = np.random.default_rng(0).standard_normal((2000, DIM)).astype(np.float32)


def _clustered(n: int, rng: np.random.Generator) -> np.ndarray:
    """Unit vectors around 2,000 topics: real embeddings cluster; uniform random vectors
    have no near neighbours at all and make every ANN index look broken."""
    vecs = _CENTERS[rng.integers(0, len(_CENTERS), n)] + 0.6 * rng.standard_normal((n, DIM))
    vecs = vecs.astype(np.float32)
    return vecs / np.linalg.norm(vecs, axis=1, keepdims=True)


def _rows(n: int, kb: str, rng: np.random.Generator, start: int) -> list[dict]:
    vecs = _clustered(n, rng)
    r = random.Random(start)
    out = []
    for i in range(n):
        content = " ".join(r.choices(_VOCAB, k=60))
        out.append(
            {
                "id": f"c{start + i}",
                "vector": vecs[i].tolist(),
                "workspace_id": "ws",
                "kb_id": kb,
                "document_id": f"d{(start + i) // 50}",
                "faq_id": None,
                "chunk_id": f"c{start + i}",
                "content": content,
                "terms": terms_text(content),
                "metadata": "{}",
            }
        )
    return out


def _fill(store: LanceVectorStore, n: int, kbs: int) -> np.ndarray:
    """Fill; returns kb0's vectors (row i has id c{i}) for exact ground truth."""
    rng = np.random.default_rng(1)
    per = n // kbs
    kb0: list[list[float]] = []
    for k in range(kbs):
        table = store._table(collection_name("ws", f"kb{k}"), dim=DIM)
        for s in range(0, per, 10_000):
            rows = _rows(min(10_000, per - s), f"kb{k}", rng, k * per + s)
            if k == 0:
                kb0.extend(r["vector"] for r in rows)
            table.add(rows)
        store._maybe_index(table)  # what upsert does: ANN index past the threshold
    return np.asarray(kb0, dtype=np.float32)


def _time(fn: Callable[[], object], queries: int) -> tuple[float, float]:
    for _ in range(5):
        fn()  # warm-up (file cache, index load)
    samples = []
    for _ in range(queries):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.99 * (len(samples) - 1))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--layouts", default="", help="comma list; 'shared' for the shared table")
    args = ap.parse_args()
    rng = np.random.default_rng(9)
    layouts = [("per-kb/10kbs", 10, 10**9), ("per-kb/1kb", 1, 10**9), ("per-kb/1kb+ann", 1, 50_000)]
    if args.layouts:
        layouts = [x for x in layouts if x[0] in args.layouts.split(",")]
    print(f"{'layout':14} {'chunks':>7} {'rows scanned':>12} {'p50 ms':>7} {'p99 ms':>7}")
    for n in (int(x) for x in args.sizes.split(",")):
        q = _clustered(1, rng)[0]
        for label, kbs, ann in layouts:
            if ann < 10**9 and n < ann:
                continue
            store = LanceVectorStore(tempfile.mkdtemp(prefix="bench-lat-"), ann_threshold=ann)
            kb0 = _fill(store, n, kbs)
            flt = VectorFilter("ws", "kb0")
            probes = _clustered(50, rng)
            truth = np.argsort(-(probes @ kb0.T), axis=1)[:, :5]
            recall = np.mean(
                [
                    len({h.id for h in store.search(p, 5, flt)} & {f"c{i}" for i in t}) / 5
                    for p, t in zip(probes, truth, strict=True)
                ]
            )
            print(f"{label}: recall@5 vs exact = {recall:.3f}")
            p50, p99 = _time(lambda s=store, f=flt, v=q: s.search(v, 5, f), args.queries)
            print(f"{label:14} {n:7} {n // kbs:12} {p50:7.1f} {p99:7.1f}", flush=True)
            p50, p99 = _time(
                lambda s=store, f=flt: s.keyword_search("w17 w4242 w999", 5, f), args.queries
            )
            print(f"{label + ' bm25':14} {n:7} {n // kbs:12} {p50:7.1f} {p99:7.1f}", flush=True)
        if not args.layouts or "shared" in args.layouts:
            _shared(n, q, args.queries)


def _shared(n: int, q: np.ndarray, queries: int) -> None:
    import lancedb

    db = lancedb.connect(tempfile.mkdtemp(prefix="bench-shared-"))
    table = db.create_table("chunks", schema=_schema(DIM))
    rng = np.random.default_rng(1)
    per = n // 10
    for k in range(10):
        for s in range(0, per, 10_000):
            table.add(_rows(min(10_000, per - s), f"kb{k}", rng, k * per + s))
    where = "workspace_id = 'ws' AND kb_id = 'kb0'"

    def search() -> object:
        return (
            table.search(q.tolist())
            .metric("cosine")
            .where(where, prefilter=True)
            .limit(5)
            .select(["id", "content", "_distance"])
            .to_list()
        )

    p50, p99 = _time(search, queries)
    print(f"{'shared/10kbs':14} {n:7} {n:12} {p50:7.1f} {p99:7.1f}", flush=True)
    from lancedb.index import Bitmap

    table.create_index("kb_id", config=Bitmap())
    p50, p99 = _time(search, queries)
    print(f"{'shared+bitmap':14} {n:7} {n:12} {p50:7.1f} {p99:7.1f}", flush=True)


if __name__ == "__main__":
    main()
