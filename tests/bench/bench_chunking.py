"""Chunk size vs retrieval quality and cost: the ingest benchmark's PDF, chunked at 500/50 and
256/25 tokens, asked 300 XQuAD-en questions; a hit = a top-5 chunk containing the answer.

Run: python -m tests.bench.bench_chunking [--pages 100] [--queries 300]
(XQuAD passages are single paragraphs, so bench_retrieval never exercises the chunker.)
"""

from __future__ import annotations

import argparse
import json
import random
import re
import tempfile
import time

from app.embeddings import build_embeddings
from app.rag import RetrievalSettings, Retriever, index_document
from app.rag.extract import extract_pdf
from app.vectors.lancedb_store import LanceVectorStore
from tests.bench.bench_ingest import make_pdf
from tests.bench.datasets import eval_dir


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--sizes", default="500:50,256:25")
    args = ap.parse_args()
    raw = json.loads((eval_dir() / "retrieval/xquad/xquad.en.json").read_text())
    qas = [
        (qa["question"], qa["answers"][0]["text"])
        for article in raw["data"]
        for para in article["paragraphs"]
        for qa in para["qas"]
    ]
    qas = random.Random(7).sample(qas, args.queries)
    model = build_embeddings(type("S", (), {"embedding_mode": "e5"})())
    pages = extract_pdf(make_pdf(args.pages))
    for spec in args.sizes.split(","):
        size, overlap = map(int, spec.split(":"))
        store = LanceVectorStore(tempfile.mkdtemp(prefix="bench-chunk-"))
        t0 = time.perf_counter()
        recs = index_document(
            pages, workspace_id="w", kb_id="k", document_id="d", embeddings=model,
            store=store, chunk_tokens=size, overlap_tokens=overlap,
        )  # fmt: skip
        dt = time.perf_counter() - t0
        for fusion in ("dense", "boosted"):
            r = Retriever(model, store, RetrievalSettings(fusion=fusion, min_score=0))
            r1 = r5 = 0
            for q, answer in qas:
                hits = r.search(q, workspace_id="w", kb_id="k")
                found = [_norm(answer) in _norm(h.content) for h in hits]
                r1 += bool(found[:1] and found[0])
                r5 += any(found)
            print(
                f"chunks {size}/{overlap}: {len(recs)} chunks, index {dt:.1f}s "
                f"({args.pages / dt:.2f} pages/s); {fusion}: answer in top-1 "
                f"{r1 / len(qas):.3f}, top-5 {r5 / len(qas):.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
