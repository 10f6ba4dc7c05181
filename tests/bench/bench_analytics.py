"""Analytics at scale (issue 17): every endpoint over 90 days by day, on SQLite and Postgres.

    /work/main/.venv/bin/python -m tests.bench.bench_analytics [messages=1000000] [postgres-url]

On Postgres it works in a schema of its own and drops it at the end.

Rows are generated inside the database (one INSERT … SELECT per table from a number series):
`messages/20` contacts, `messages/4` conversations (80 % resolved), four messages each
(contact, bot, contact, bot or human; some escalated) spread over 90 days. Then: the first
aggregation run over everything (the job's backfill), each endpoint read from the hourly rows
(10 runs: p50 and p99 = the slowest of 10), and, for contrast, `messages` computed from the raw
rows alone. Top topics clusters the 300 most recent questions with the test settings' hashing
embedder (the e5 model's cost is per question, not per stored message).
"""

from __future__ import annotations

import asyncio
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from app.container import build_container, lifespan
from app.db import fast
from app.db.tables import Message, WhatsappSession
from app.domain import Actor, Role
from app.jobs.analytics import aggregate_hours
from app.services.analytics import Query
from tests.conftest import make_settings

SPAN_S = 90 * 86400


def _sql(dialect: str, n: int, body: str) -> str:
    """`body` selects from `seq(n)`, 0 ≤ n < count; `{ts:expr}` is epoch seconds → timestamp."""
    if dialect == "sqlite":
        seq = "WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq "
        seq += f"WHERE n < {n - 1}) "

        def ts(expr: str) -> str:
            return f"(strftime('%Y-%m-%d %H:%M:%S', {expr}, 'unixepoch') || '+00:00')"
    else:
        seq = f"WITH seq(n) AS (SELECT generate_series(0, {n - 1})) "

        def ts(expr: str) -> str:
            return f"to_timestamp({expr})"

    while "{ts:" in body:
        start = body.index("{ts:")
        end = body.index("}", start)
        body = body[:start] + ts(body[start + 4 : end]) + body[end + 1 :]
    return seq.join(body.split("@SEQ@"))


async def _generate(dialect: str, ws: str, session: str, messages: int, base: int) -> None:
    contacts, convs = messages // 20, messages // 4
    step = SPAN_S // convs
    statements = [
        f"INSERT INTO contacts (id, workspace_id, session_id, jid, phone_number, created_at, "
        f"first_seen_at, updated_at) @SEQ@ SELECT 'c' || n, '{ws}', '{session}', 'c' || n || '@s', "
        f"'1', {{ts:{base} + n * {SPAN_S // contacts}}}, {{ts:{base}}}, {{ts:{base}}} FROM seq",
        f"INSERT INTO conversations (id, workspace_id, session_id, contact_id, status, "
        f"resolved_at, waiting_since, created_at, updated_at) @SEQ@ SELECT 'v' || n, '{ws}', "
        f"'{session}', 'c' || (n % {contacts}), "
        f"CASE WHEN n % 5 = 0 THEN 'OPEN' ELSE 'RESOLVED' END, "
        f"CASE WHEN n % 5 = 0 THEN NULL ELSE {{ts:{base} + n * {step} + 3600 + (n % 7) * 60}} END, "
        f"CASE WHEN n % 10 = 1 THEN {{ts:{base} + n * {step}}} ELSE NULL END, "
        f"{{ts:{base} + n * {step}}}, {{ts:{base} + n * {step}}} FROM seq",
        f"INSERT INTO messages (id, workspace_id, conversation_id, session_id, direction, "
        f"sender_type, content, sentiment, confidence, escalation_reason, status, created_at, "
        f"routed_at) "
        f"@SEQ@ SELECT 'm' || n, '{ws}', 'v' || (n / 4), '{session}', "
        f"CASE WHEN n % 2 = 0 THEN 'INBOUND' ELSE 'OUTBOUND' END, "
        f"CASE WHEN n % 2 = 0 THEN 'CONTACT' WHEN n % 4 = 3 AND (n / 4) % 4 = 0 THEN 'HUMAN' "
        f"ELSE 'BOT' END, "
        f"CASE WHEN n % 2 = 0 THEN 'question about topic ' || ((n / 4) % 50) ELSE 'answer' END, "
        f"CASE WHEN n % 2 = 1 THEN NULL WHEN n % 3 = 0 THEN 'POSITIVE' WHEN n % 3 = 1 "
        f"THEN 'NEUTRAL' ELSE 'NEGATIVE' END, "
        f"CASE WHEN n % 2 = 1 THEN (n % 10) / 10.0 ELSE NULL END, "
        f"CASE WHEN n % 4 = 1 AND (n / 4) % 10 = 1 THEN 'low_confidence' ELSE NULL END, "
        f"'SENT', {{ts:{base} + (n / 4) * {step} + (n % 4) * 30}}, "
        f"{{ts:{base} + (n / 4) * {step} + (n % 4) * 30}} FROM seq",  # routed: no replies
    ]
    for statement, count in zip(statements, (contacts, convs, messages), strict=True):
        began = time.perf_counter()
        await fast.execute(Message, _sql(dialect, count, statement))
        print(f"  generated {count:,} rows in {time.perf_counter() - began:.1f} s", flush=True)


async def _time(call: Callable[[], Awaitable[Any]], runs: int = 10) -> tuple[float, float]:
    took = []
    for _ in range(runs):
        began = time.perf_counter()
        await call()
        took.append((time.perf_counter() - began) * 1000)
    return statistics.median(took), max(took)


async def run(messages: int, database_url: str | None) -> None:
    dialect = "postgres" if database_url else "sqlite"
    with tempfile.TemporaryDirectory() as tmp:
        settings = make_settings(Path(tmp) / "data", database_url=database_url)
        container = build_container(settings)
        async with lifespan(container):
            container.scheduler.pause()
            services = container.services
            reg = await services.auth.register("bench@example.com", "Bench-pass-2026", "B", "Shop")
            ws = reg.workspace.id
            actor = Actor(reg.user.id).in_workspace(ws, Role.VIEWER)
            session = WhatsappSession(workspace_id=ws, account_id="bench", channel="simulator")
            await WhatsappSession.insert(session)
            now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
            base = int((now - timedelta(seconds=SPAN_S + 3600)).timestamp())
            print(f"{dialect}: {messages:,} messages", flush=True)
            await _generate(dialect, ws, session.id, messages, base)
            query = Query(start=now - timedelta(days=91), end=now, interval="day", tz="UTC")
            a = services.analytics
            began = time.perf_counter()
            raw = await a.messages(actor, query)
            raw_ms = (time.perf_counter() - began) * 1000
            began = time.perf_counter()
            hours = await aggregate_hours(container.clock)
            job_s = time.perf_counter() - began
            print(f"  first aggregation run: {hours:,} hours in {job_s:.1f} s", flush=True)
            assert await a.messages(actor, query) == raw  # the hourly rows say the same
            total_in = sum(p.values["in"] or 0 for p in raw.points)
            assert total_in == messages // 2, total_in
            calls: dict[str, Callable[[], Awaitable[Any]]] = {
                "overview": lambda: a.overview(actor, query),
                "messages": lambda: a.messages(actor, query),
                "contacts": lambda: a.contacts(actor, query),
                "bot-performance": lambda: a.bot_performance(actor, query),
                "sentiment": lambda: a.sentiment(actor, query),
                "response-time": lambda: a.response_time(actor, query),
                "top-topics": lambda: a.top_topics(actor, query),
            }
            print("| endpoint | p50 | p99 (max of 10) |\n|---|---|---|")
            for name, call in calls.items():
                p50, p99 = await _time(call)
                print(f"| {name} | {p50:.0f} ms | {p99:.0f} ms |", flush=True)
            print(f"| messages from raw rows only (no aggregates, 1 run) | {raw_ms:.0f} ms | |")


async def _on_postgres(messages: int, base: str) -> None:
    """In a schema of its own (dropped afterwards): the shared database stays as it was."""
    import asyncpg

    schema = f"bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(base)
    await admin.execute(f"CREATE SCHEMA {schema}")
    try:
        separator = "&" if "?" in base else "?"
        await run(messages, f"{base}{separator}search_path={schema}")
    finally:
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    url = sys.argv[2] if len(sys.argv) > 2 else None
    asyncio.run(_on_postgres(count, url) if url else run(count, None))
