"""Retrieval quality: recall@1, recall@5, MRR for dense / keyword / fusions, per model.

Run: python -m tests.bench.bench_retrieval [--models e5,minilm] [--max-queries N]
Passages go through the real LanceDB store (tmp dir); dense and keyword candidate lists are
fetched once per query and every fusion is scored on the same lists. Embeddings are cached in
$AIMY_BENCH_CACHE (default /tmp/aimy-bench) so fusion sweeps re-run fast.
Also prints the threshold calibration: the best cosine per query for answerable queries
(gold passage in the KB) vs unanswerable ones (queries of another set).
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

import numpy as np

from app.embeddings import build_embeddings
from app.rag.fusion import boosted, rrf, weighted
from app.rag.indexing import faq_vectors
from app.vectors.base import Hit, Payload, Point, VectorFilter
from app.vectors.lancedb_store import LanceVectorStore
from tests.bench.datasets import EvalSet, all_sets

FUSIONS = ["dense", "keyword", "rrf", "w0.7", "w0.8", "b0.01", "b0.015", "b0.02", "b0.03", "b0.05"]


def _cached(path: Path, fn: object) -> np.ndarray:
    if path.exists():
        return np.load(path)
    arr = np.asarray(fn(), dtype=np.float32)  # type: ignore[operator]
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, arr)
    return arr


def _rank(fusion: str, dense: list[Hit], kw: list[Hit]) -> list[str]:
    if fusion == "dense":
        return [h.id for h in dense]
    if fusion == "keyword":
        return [h.id for h in kw]
    if fusion == "rrf":
        scores = rrf([dense, kw])
    elif fusion.startswith("b"):  # dense cosine + boost x normalised BM25
        scores = boosted(dense, kw, float(fusion[1:]))
    else:
        scores = weighted(dense, kw, float(fusion[1:]))
    return sorted(scores, key=lambda i: -scores[i])


def _key(model: object) -> str:
    """Cache key: the model and the engine running it (ONNX and torch e5 share a name)."""
    return f"{model.name}-{getattr(model, 'engine', 'default')}"  # type: ignore[attr-defined]


def evaluate(model: object, ev: EvalSet, cache: Path, max_queries: int | None) -> dict:
    ids = list(ev.passages)
    name = _key(model)
    t0 = time.perf_counter()
    if ev.faqs:  # FAQ units are embedded the way index_faq does it
        pvec = _cached(
            cache / f"{name}-{ev.name}-faq.npy",
            lambda: faq_vectors([ev.faqs[i] for i in ids], model),
        )  # type: ignore[index, arg-type]
    else:
        pvec = _cached(
            cache / f"{name}-{ev.name}-p.npy",
            lambda: model.embed_documents([ev.passages[i] for i in ids]),
        )  # type: ignore[attr-defined]
    queries = ev.queries
    if max_queries and len(queries) > max_queries:
        queries = random.Random(7).sample(queries, max_queries)
    qvec = _cached(
        cache / f"{name}-{ev.name}-q{len(queries)}.npy",
        lambda: [model.embed_query(q) for q, _ in queries],
    )  # type: ignore[attr-defined]
    embed_s = time.perf_counter() - t0
    store = LanceVectorStore(tempfile.mkdtemp(prefix="bench-lance-"))
    store.upsert(
        [Point(i, v, Payload("w", "kb", ev.passages[i])) for i, v in zip(ids, pvec, strict=True)]
    )
    flt = VectorFilter("w", "kb")
    stats = {f: [0, 0, 0.0] for f in FUSIONS}
    best_cos: list[float] = []
    for (q, gold), qv in zip(queries, qvec, strict=True):
        dense = store.search(qv, 20, flt)
        kw = store.keyword_search(q, 20, flt)
        best_cos.append(dense[0].score if dense else 0.0)
        for f in FUSIONS:
            ranked = _rank(f, dense, kw)[:20]
            if gold in ranked:
                r = ranked.index(gold) + 1
                stats[f][0] += r == 1
                stats[f][1] += r <= 5
                stats[f][2] += 1.0 / r
    n = len(queries)
    return {
        "pvec": pvec,
        "qvec": qvec,
        "n": n,
        "passages": len(ids),
        "embed_s": embed_s,
        "best_cos": best_cos,
        "metrics": {f: (s[0] / n, s[1] / n, s[2] / n) for f, s in stats.items()},
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default="minilm,e5")
    ap.add_argument("--max-queries", type=int, default=0)
    ap.add_argument("--sets", default="")
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    cache = Path(os.environ.get("AIMY_BENCH_CACHE", "/tmp/aimy-bench"))
    sets = [s for s in all_sets() if not args.sets or s.name in args.sets.split(",")]
    vectors: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {}
    for mode in args.models.split(","):
        model = build_embeddings(type("S", (), {"embedding_mode": mode})())
        engine = getattr(model, "engine", "")
        print(f"\n## model {model.name} (dim {model.dim}) on {engine}", flush=True)
        print(f"{'set':10} {'method':8} {'R@1':>6} {'R@5':>6} {'MRR':>6}")
        for ev in sets:
            res = evaluate(model, ev, cache, args.max_queries or None)
            vectors.setdefault(mode, {})[ev.name] = (res["pvec"], res["qvec"])
            for f, (r1, r5, mrr) in res["metrics"].items():
                print(f"{ev.name:10} {f:8} {r1:6.3f} {r5:6.3f} {mrr:6.3f}")
            cos = np.asarray(res["best_cos"])
            print(
                f"{ev.name:10} queries={res['n']} passages={res['passages']} "
                f"embed={res['embed_s']:.1f}s best-cos p5={np.percentile(cos, 5):.3f} "
                f"p50={np.median(cos):.3f}",
                flush=True,
            )
        # unanswerable: StackFAQ queries against XQuAD-en passages and the reverse
        neg = _negatives(model, cache)
        print(
            f"unanswerable best-cos p50={np.median(neg):.3f} p95={np.percentile(neg, 95):.3f} "
            f"p99={np.percentile(neg, 99):.3f}",
            flush=True,
        )
    _compare(vectors)


def _compare(vectors: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]]) -> None:
    """Cosine of each model's vectors to the first model's, per set (same texts, same order):
    how closely one engine reproduces another."""
    modes = list(vectors)
    for other in modes[1:]:
        print(f"\n## cosine of {other} to {modes[0]} (min / mean)")
        for name, (p0, q0) in vectors[modes[0]].items():
            if name not in vectors[other] or vectors[other][name][0].shape != p0.shape:
                continue
            p1, q1 = vectors[other][name]
            pc, qc = (p0 * p1).sum(1), (q0 * q1).sum(1)
            print(
                f"{name:10} passages {pc.min():.5f} / {pc.mean():.5f}  "
                f"queries {qc.min():.5f} / {qc.mean():.5f}",
                flush=True,
            )


def _negatives(model: object, cache: Path) -> np.ndarray:
    from tests.bench.datasets import stackfaq, xquad

    sf, xq = stackfaq(), xquad("en")
    name = _key(model)
    out = []
    for corpus, queries in ((xq, sf), (sf, xq)):
        p = _cached(
            cache / f"{name}-{corpus.name}-p.npy",
            lambda c=corpus: model.embed_documents(list(c.passages.values())),
        )  # type: ignore[attr-defined]
        sample = random.Random(3).sample(queries.queries, 200)
        q = np.asarray([model.embed_query(t) for t, _ in sample], dtype=np.float32)  # type: ignore[attr-defined]
        out.extend((q @ p.T).max(axis=1).tolist())
    return np.asarray(out)


if __name__ == "__main__":
    main()
