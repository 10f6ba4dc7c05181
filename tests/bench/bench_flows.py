"""Flow step overhead next to the AI path, in one run: inbound → reply persisted.

Run: `/work/main/.venv/bin/python -m tests.bench.bench_flows [messages=300] [faqs=200]`
(SQLite file in a temp dir, like a fresh install). Not collected by pytest.

Two workspaces share one app, one event loop and one database; their messages alternate, so
machine noise hits both alike:
- flow: the contact is in a run waiting at a question; each message answers it, the run saves
  the answer, sends "Got <answer> (<name>)", loops back and asks again — two messages out, the
  run's step (guarded by its step count), counters and visits, all in one transaction;
- ai: no flow matches (the flow slot checks the workspace's active flows and passes), and the
  AI engine answers with the default provider (`extractive`: no model, answers from the
  workspace's FAQs) — language, sentiment, FAQ search, history, confidence.
Each message is timed from `Pipeline.handle` (persist) until routing settled (the reply rows
and outbox rows are committed); the dispatcher is not running (sending is not measured).
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
from app.db.tables import KBFaq, KnowledgeBase, Message, WhatsappSession, WorkspaceSettings
from app.domain import Actor, NormalizedMessage, Role, utcnow
from app.pipeline import SessionRef
from app.schemas.flows import EdgeBody, FlowCreateBody, NodeBody
from tests.conftest import make_settings

QUESTIONS = [
    "What are your opening hours on Saturday?",
    "How much does shipping to Berlin cost?",
    "Can I pay with a credit card or PayPal?",
    "Do you have the blue bike in size M?",
]
LOOP = FlowCreateBody(
    name="Loop",
    trigger_type="KEYWORD",
    trigger_config={"keywords": ["start"], "match": "exact"},
    nodes=[
        NodeBody(id="t", type="trigger"),
        NodeBody(id="q", type="question", data={"text": "Your answer?", "variableName": "a"}),
        NodeBody(id="m", type="message", data={"text": "Got {{vars.a}} ({{contact.name}})"}),
    ],
    edges=[
        EdgeBody(id="e1", source="t", target="q"),
        EdgeBody(id="e2", source="q", target="m"),
        EdgeBody(id="e3", source="m", target="q"),
    ],
    is_active=True,
)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def _workspace(container, email: str) -> tuple[Actor, SessionRef]:  # type: ignore[no-untyped-def]
    session = await container.services.auth.register(email, "a-long-bench-password-1", "B", "B")
    ws = session.workspace.id
    wa = WhatsappSession(workspace_id=ws, account_id="default", channel="simulator")
    await WhatsappSession.insert(wa)
    return Actor(session.user.id, ws, Role.OWNER), SessionRef(wa.id, ws)


async def main(n: int, n_faqs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = make_settings(Path(tmp) / "data", auto_reply="ai", llm_provider_override=None)
        container = build_container(settings)
        await open_engine(container.engine)
        await migrate(container.engine)
        flow_actor, flow_ref = await _workspace(container, "flow@example.com")
        _, ai_ref = await _workspace(container, "ai@example.com")
        # every message gets an answer (no hand-over to a human, which would silence the bot)
        await WorkspaceSettings.update({WorkspaceSettings.confidence_threshold: 0.0}).where(
            WorkspaceSettings.workspace_id == ai_ref.workspace_id
        )
        kb = KnowledgeBase(workspace_id=ai_ref.workspace_id, name="Main", is_default=True)
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
        await container.services.flows.create(flow_actor, LOOP)
        pipeline = container.pipeline
        t0 = utcnow()

        async def one(ref: SessionRef, i: int, text: str) -> float:
            jid = "15550001@s.whatsapp.net"
            msg = NormalizedMessage(
                wa_message_id=f"{ref.workspace_id}-{i}",
                jid=jid,
                chat_jid=jid,
                timestamp=t0 + timedelta(seconds=i),
                text=text,
                push_name="Ann",
            )
            start = time.perf_counter()
            await pipeline.handle(ref, msg)
            await pipeline.settle()
            return (time.perf_counter() - start) * 1000

        await one(flow_ref, 0, "start")  # the run begins and waits at the question
        await one(ai_ref, 0, "hello")
        flow_ms: list[float] = []
        ai_ms: list[float] = []
        for i in range(1, n + 1):
            text = QUESTIONS[i % len(QUESTIONS)]
            flow_ms.append(await one(flow_ref, i, text))
            ai_ms.append(await one(ai_ref, i, text))
        out = Message.direction == "OUTBOUND"
        flow_out = await Message.count().where(
            out & (Message.workspace_id == flow_ref.workspace_id)
        )
        ai_out = await Message.count().where(out & (Message.workspace_id == ai_ref.workspace_id))
        await container.ai.aclose()
        await close_engine(container.engine)
    assert flow_out == 2 * n + 1, flow_out  # every answer: "Got …" and the question again
    assert ai_out >= n + 1, ai_out
    warm_flow, warm_ai = flow_ms[5:], ai_ms[5:]
    print(f"inbound → reply persisted, SQLite, {n} messages each (first 5 excluded)")
    for name, values in (("flow step", warm_flow), ("AI extractive", warm_ai)):
        p50, p90, p99 = statistics.median(values), pct(values, 90), pct(values, 99)
        print(
            f"  {name:<14} p50 {p50:6.2f} ms  p90 {p90:6.2f} ms  p99 {p99:6.2f} ms"
            f"  max {max(values):6.2f} ms"
        )
    ratio50 = statistics.median(warm_flow) / statistics.median(warm_ai)
    ratio99 = pct(warm_flow, 99) / pct(warm_ai, 99)
    print(f"  flow / AI: p50 ×{ratio50:.2f}  p99 ×{ratio99:.2f}")


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    faqs = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    asyncio.run(main(count, faqs))
