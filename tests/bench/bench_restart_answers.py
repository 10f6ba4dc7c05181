"""After a restart: how long the first questions about indexed documents wait (issue 12, reply
p95 ≤ 1 s), with the reader's sentence vectors read back from the database (kb_chunks.
unit_vectors, m0030) against embedding them again (what every restart did before).

A real container (ONNX e5, LanceDB, SQLite) indexes XQuAD-en paragraphs through the index
worker, which embeds their sentences and now stores them; then a fresh container on the same
data dir — a restarted process, empty caches, models loaded by a warm-up question on another
paragraph — answers held-out questions through the engine's own path (`RetrieverSearch.
evidence`, `Answerer.answer`). The second variant clears the stored vectors first. Same
questions, same run, alternating.

    python -m tests.bench.bench_restart_answers [-n 40] [--paragraphs N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from app.ai.signals import detect_language
from app.container import build_container, lifespan
from app.db.tables import KBChunk, KBDocument, KnowledgeBase, Workspace
from app.services.knowledge import DocumentIndexer, IndexWorker
from tests.bench.answer_sets import xquad
from tests.conftest import make_settings

WS, KB = "ws-bench", "kb-bench"


def _settings(data: Path):  # type: ignore[no-untyped-def]
    return make_settings(data, embedding_mode="e5", vector_store="lancedb")


async def _index(data: Path, paragraphs: list[tuple[str, str]]) -> float:
    c = build_container(_settings(data))
    async with lifespan(c):
        await c.indexer.stop()
        await Workspace.insert(Workspace(id=WS, name="W", slug="w-bench"))
        await KnowledgeBase.insert(KnowledgeBase(id=KB, workspace_id=WS, name="K", is_default=True))
        await KBDocument.insert(
            *[
                KBDocument(id=f"d{i}", knowledge_base_id=KB, name=f"{title}.txt", type="MANUAL",
                           content=text, status="PENDING")
                for i, (title, text) in enumerate(paragraphs)
            ]
        )  # fmt: skip
        indexer = DocumentIndexer(
            c.kb, c.events, c.notifier, c.webhooks, retries=0, base_s=0, answerer=c.ai.answerer
        )
        worker = IndexWorker(indexer)
        started = time.perf_counter()
        await worker.start()
        await asyncio.wait_for(worker.idle(), 3600)
        await worker.stop()
        return time.perf_counter() - started


async def _ask(data: Path, questions: list[str], warmup: str) -> list[float]:
    """A restarted process: fresh container, models loaded by one unrelated question."""
    c = build_container(_settings(data))
    async with lifespan(c):
        await c.indexer.stop()
        search = c.ai.knowledge
        ev = await search.evidence(WS, warmup, KB)
        await asyncio.to_thread(c.ai.answerer.answer, ev, "en", detect_language)
        out = []
        for q in questions:
            started = time.perf_counter()
            ev = await search.evidence(WS, q, KB)
            await asyncio.to_thread(c.ai.answerer.answer, ev, "en", detect_language)
            out.append(time.perf_counter() - started)
        return out


async def _clear(data: Path) -> None:
    c = build_container(_settings(data))
    async with lifespan(c):
        await c.indexer.stop()
        await KBChunk.update({KBChunk.unit_vectors: None, KBChunk.unit_digest: None}).where(
            KBChunk.unit_digest.is_not_null()
        )


def _row(name: str, s: list[float]) -> str:
    q = statistics.quantiles(s, n=20)
    return f"| {name} | {len(s)} | {statistics.median(s):.2f} s | {q[18]:.2f} s | {max(s):.2f} s |"


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=40, help="questions")
    ap.add_argument("--paragraphs", type=int, default=1000)
    args = ap.parse_args()
    s = xquad("en")
    texts = {d.id: (d.title, d.text or "") for d in s.docs}
    asked = [q for q in s.questions if q.answerable and q.split == "test"]
    random.Random(7).shuffle(asked)
    asked = asked[: args.n]
    chosen = [d.id for d in s.docs][: args.paragraphs]  # every indexed paragraph by default
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        took = await _index(data, [texts[i] for i in chosen])
        print(f"indexed {len(chosen)} paragraphs in {took:.1f} s (sentences embedded and stored)")
        questions = [q.text for q in asked]
        warmup = "Who founded the university?"
        load = os.getloadavg()[0]
        stored = await _ask(data, questions, warmup)
        await _clear(data)
        cleared = await _ask(data, questions, warmup)
        print(f"\nload average {load:.1f} → {os.getloadavg()[0]:.1f}\n")
        print("| after a restart | n | p50 | p95 | max |\n|---|---:|---:|---:|---:|")
        print(_row("sentence vectors read from the database", stored))
        print(_row("sentences embedded again (before m0030)", cleared))


if __name__ == "__main__":
    asyncio.run(main())
