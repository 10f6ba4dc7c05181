"""What reporting indexing progress more often costs: index_document's embedding calls of
32, 16, 8, 4 and 2 chunks side by side, rounds interleaved (ratios hold on a loaded machine).

Run: python -m tests.bench.bench_progress_batches [--rounds 5]
The texts are the 500-token chunks of a real PDF of the eval set (federal-register, 15 pages,
32 chunks), embedded with the default engine (e5-small). A document reports progress after
each call, so smaller calls mean a bar that moves; this says whether they are slower.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from pathlib import Path

from app.embeddings import batched, build_embeddings
from app.rag.chunking import chunk_pages
from app.rag.extract import extract
from app.settings import load_settings
from tests.integration.knowledge.conftest import _eval_documents

SIZES = (32, 16, 8, 4, 2)


def main() -> None:
    warnings.filterwarnings("ignore")
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    settings = load_settings({"data_dir": "/tmp/aimy-bench-progress"}, env={})
    emb = build_embeddings(settings)
    pdf = _eval_documents() / "pdf/federal-register-2020-17221.pdf"
    pages = extract(Path(pdf).read_bytes(), "PDF")
    texts = [c.content for c in chunk_pages(pages, emb.count_tokens, chunk_tokens=500)]
    emb.embed_documents(texts[:2])  # warm-up
    took: dict[int, list[float]] = {n: [] for n in SIZES}
    for r in range(args.rounds):
        for n in SIZES[r % len(SIZES) :] + SIZES[: r % len(SIZES)]:
            t0 = time.perf_counter()
            for batch in batched(texts, n):
                emb.embed_documents(batch)
            took[n].append(time.perf_counter() - t0)
    base = statistics.median(took[32])
    print(f"{len(texts)} chunks, {emb.name}, {args.rounds} rounds")
    print("batch | calls | median s | min s | median vs 32")
    for n in SIZES:
        med = statistics.median(took[n])
        calls = -(-len(texts) // n)
        print(f"{n:5} | {calls:5} | {med:8.2f} | {min(took[n]):5.2f} | {med / base:.2f}")


if __name__ == "__main__":
    main()
