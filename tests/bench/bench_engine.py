"""AI-engine overhead excluding the model call: everything `AIEngine.respond` does around the
LLM (language + sentiment, inbound annotation, keyword KB search over the FAQ/chunk rows,
history, prompt assembly, confidence parsing, WhatsApp formatting) with the instant fake model.

Run: `/work/venv/bin/python -m tests.bench.bench_engine [n_messages] [n_faqs]` (SQLite file in
a temp dir, like a fresh install). Not collected by pytest.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from app.container import build_container
from app.db import close_engine, migrate, open_engine
from app.db.repos import inbound, workspace_settings
from app.db.tables import KBFaq, KnowledgeBase, WhatsappSession
from app.domain import NormalizedMessage, utcnow
from app.pipeline.responders import ReplyContext
from tests.conftest import make_settings

QUESTIONS = [
    "What are your opening hours on Saturday?",
    "How much does shipping to Berlin cost?",
    "Can I pay with a credit card or PayPal?",
    "Do you have the blue bike in size M?",
    "Bonjour, livrez-vous en France ?",
]


async def main(n: int, n_faqs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = make_settings(Path(tmp) / "data", auto_reply="ai")
        container = build_container(settings)
        await open_engine(container.engine)
        await migrate(container.engine)
        session = await container.services.auth.register(
            "bench@example.com", "a-long-bench-password-1", "Bench", "Bench"
        )
        ws = session.workspace.id  # type: ignore[union-attr]
        wa = WhatsappSession(workspace_id=ws, account_id="default", channel="simulator")
        await WhatsappSession.insert(wa)
        kb = KnowledgeBase(workspace_id=ws, name="Main")
        await KnowledgeBase.insert(kb)
        await KBFaq.insert(
            *[
                KBFaq(
                    knowledge_base_id=kb.id,
                    question=f"Question {i} about product line {i % 17} and shipping zone {i % 5}?",
                    answer=f"Answer {i}: details for product line {i % 17}.",
                )
                for i in range(n_faqs)
            ]
        )
        row = await workspace_settings.load(ws)
        engine = container.ai
        timings: list[float] = []
        t0 = utcnow()
        for i in range(n):
            msg = NormalizedMessage(
                wa_message_id=f"b{i}",
                jid="15550001@s.whatsapp.net",
                chat_jid="15550001@s.whatsapp.net",
                timestamp=t0 + timedelta(seconds=i),
                text=QUESTIONS[i % len(QUESTIONS)],
            )
            stored = await inbound.persist_inbound(ws, wa.id, msg, msg.timestamp)
            assert stored is not None
            ctx = ReplyContext(
                ws, wa.id, stored.contact, stored.conversation, stored.message, msg, row
            )
            start = time.perf_counter()
            reply = await engine.respond(ctx)
            timings.append((time.perf_counter() - start) * 1000)
            assert reply is not None
        await engine.aclose()
        await close_engine(container.engine)
    warm = sorted(timings[5:])
    p50 = statistics.median(warm)
    p99 = warm[min(len(warm) - 1, int(len(warm) * 0.99))]
    print(f"engine overhead (fake model, {n_faqs} FAQs, SQLite): first {timings[0]:.1f} ms")
    print(f"  n={len(warm)}  p50 {p50:.2f} ms  p99 {p99:.2f} ms  max {warm[-1]:.2f} ms")


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    faqs = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    asyncio.run(main(count, faqs))
