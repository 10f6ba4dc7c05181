"""Send budget figures (issue 15.1): what the budget check costs the pipeline, and how many
messages go out per minute against the budget.

Run: `/work/main/.venv/bin/python -m tests.bench.bench_sending [--db postgresql://…]
[--realtime-min 2] [--simulated-min 30] [--broadcast-min 10]`

1. Cost on the pipeline, side by side in one run (the machine is noisy: the configurations
   alternate, twice each): the echo pipeline with the budget off (`send_budget=false`: rows
   are claimed without a budget row), on (1,000/min, the highest limit there is: the check
   runs against a ledger of up to 1,000 recent slots and grants everything below it), and on
   with 5,000 broadcast rows held back by quiet hours in the outbox. A burst (900 messages
   from 300 contacts as fast as they persist — under the minute's 1,000: throughput, p50/p99
   inbound → sent) and one at a time (300 messages: p50/p99).
2. Sends per minute against the budget, real time: 60/min with the default pacing (typing
   40 ms/char up to 4 s, jitter up to 1.5 s) and a backlog of 400 chats; counts per minute
   from the outbox's slot times and from the phone's receive times, and the most in any
   60 s window.
3. The same over many minutes with the app's clock moved on (no typing or jitter): 60/min
   against a backlog of 2,500, per minute and in any 60 s window.
4. Broadcast recipients per minute against the budget (issue 15.2), in real time (typing and
   jitter off): a broadcast to 400 contacts at 60/min while 10 customers a minute write in —
   per minute, replies and broadcast messages, the most in any 60 s, how long replies waited.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import secrets
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from app.channels import SimulatorChannel
from app.container import build_container, lifespan
from app.db import fast
from app.db.repos.outbox import Draft, target_for
from app.db.repos.resolver import ensure_contact
from app.db.tables import Outbox
from app.domain import Actor, ManualClock, OutboxStatus, Role
from app.domain.phones import jid_of
from app.domain.sending import SendKind
from app.schemas.settings import SettingsPatchBody
from tests.bench.bench_pipeline import latencies, pct, wait_sent
from tests.conftest import make_settings


@contextlib.asynccontextmanager
async def _database(db_url: str | None) -> AsyncIterator[str | None]:
    """SQLite in the temp dir, or a fresh Postgres schema dropped afterwards (as the tests do:
    the database may be shared)."""
    if db_url is None:
        yield None
        return
    import asyncpg

    schema = f"bench_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(db_url)
    try:
        await admin.execute(f"CREATE SCHEMA {schema}")
        yield f"{db_url}{'&' if '?' in db_url else '?'}search_path={schema}"
    finally:
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()


async def _app(tmp: Path, db_url: str | None, clock: Any = None, **overrides: Any):  # type: ignore[no-untyped-def]
    settings = make_settings(
        tmp, database_url=db_url, auto_reply="echo", dispatch_poll_s=0.05, **overrides
    )
    return build_container(settings, clock)


async def _owner(container: Any) -> tuple[Actor, str, SimulatorChannel]:
    session = await container.services.auth.register(
        "bench@example.com", "Bench-Secret-1", "Bench", "Bench"
    )
    assert session.workspace is not None
    actor = Actor(session.user.id, session.workspace.id, Role.OWNER)
    wa = await container.services.sessions.create(actor, "bench", "simulator")
    phone = container.channels.get(wa.id)
    assert isinstance(phone, SimulatorChannel)
    return actor, wa.id, phone


async def _hold_broadcasts(container: Any, actor: Actor, session_id: str, n: int) -> None:
    """`n` broadcast rows that quiet hours hold back for the whole run."""
    patch = SettingsPatchBody(
        quiet_hours_enabled=True, quiet_hours_start="00:00", quiet_hours_end="23:59"
    )
    await container.services.settings.update(actor, patch)
    ws, now = actor.workspace_id or "", container.clock.now()
    async with Outbox._meta.db.transaction():
        for i in range(n):
            jid = jid_of(f"+4915{i:09d}")
            contact, _ = await ensure_contact(ws, session_id, jid, now)
            target = await target_for(ws, session_id, contact["id"], jid, now)
            await container.outbox.enqueue(
                target, [Draft(f"offer {i}")], kind=SendKind.BROADCAST, cold=False
            )


async def pipeline_cost(db_url: str | None, label: str, budget: bool, held: int) -> dict[str, Any]:
    async with _database(db_url) as db_url:
        return await _pipeline_cost(db_url, label, budget, held)


async def _pipeline_cost(db_url: str | None, label: str, budget: bool, held: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        # on: the API's highest per-minute limit (1,000) — the check runs and always grants
        clock = ManualClock()  # moved a minute on between the phases: a fresh minute each
        container = await _app(
            Path(tmp) / "data", db_url, clock, send_budget=budget, send_rate_per_min=1000
        )
        async with lifespan(container):
            actor, session_id, phone = await _owner(container)
            if held:
                await _hold_broadcasts(container, actor, session_id, held)
            jids = [f"49170{i:07d}@s.whatsapp.net" for i in range(300)]
            sent_at: dict[str, float] = {}
            t0 = time.perf_counter()
            n = 900
            for i in range(n):
                sent_at[f"s{i}"] = time.time()
                await phone.inject(jids[i % len(jids)], f"s{i}")
            await wait_sent(phone, n, timeout=300)
            elapsed = time.perf_counter() - t0
            sat = latencies(phone, sent_at, 0)
            await phone.settle()
            await asyncio.sleep(0.5)
            clock.advance(timedelta(seconds=61))
            start = len(phone.sent)
            for i in range(300):
                sent_at[f"p{i}"] = time.time()
                await phone.inject(jids[(i * 7) % len(jids)], f"p{i}")
                await wait_sent(phone, start + i + 1, timeout=30)
                await phone.settle()
            steady = latencies(phone, sent_at, start)
    return {
        "label": label,
        "throughput": n / elapsed,
        "sat_p50": pct(sat, 50),
        "sat_p99": pct(sat, 99),
        "p50": pct(steady, 50),
        "p99": pct(steady, 99),
        "mean": statistics.mean(steady),
    }


def _aware(value: Any) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def most_in_a_minute(times: list[datetime]) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while times[start] <= t - timedelta(seconds=60):
            start += 1
        best = max(best, end - start + 1)
    return best


def per_minute(times: list[datetime], origin: datetime, minutes: int) -> list[int]:
    counts = [0] * minutes
    for t in times:
        k = int((t - origin).total_seconds() // 60)
        if 0 <= k < minutes:
            counts[k] += 1
    return counts


async def _slots() -> list[datetime]:
    rows = await Outbox.select(Outbox.slot_at).where(Outbox.status == OutboxStatus.SENT)
    return [r["slot_at"] for r in rows]


async def realtime(db_url: str | None, minutes: int, backlog: int) -> None:
    async with _database(db_url) as db_url:
        await _realtime(db_url, minutes, backlog)


async def _realtime(db_url: str | None, minutes: int, backlog: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        container = await _app(
            Path(tmp) / "data", db_url, send_rate_per_min=60, typing_ms_per_char=40,
            send_jitter_s=1.5, chat_spacing_s=1.0,
        )  # fmt: skip
        async with lifespan(container):
            _, _, phone = await _owner(container)
            origin = container.clock.now()
            for i in range(backlog):
                await phone.inject(f"49171{i:07d}@s.whatsapp.net", f"hello there, number {i}")
            await asyncio.sleep(minutes * 60)
            slots, received = await _slots(), [s.timestamp for s in phone.sent]
    print(
        f"real time, 60/min, typing 40 ms/char + jitter ≤ 1.5 s, backlog {backlog}, {minutes} min:"
    )
    print(f"  per minute by slot time:    {per_minute(slots, origin, minutes)}")
    print(f"  per minute as received:     {per_minute(received, origin, minutes)}")
    print(
        f"  most in any 60 s: slots {most_in_a_minute(slots)}, "
        f"received {most_in_a_minute(received)}; total {len(received)}"
    )


async def _settled(phone: SimulatorChannel) -> None:
    """Until nothing is in flight and nothing more was sent for a moment: the dispatcher did
    all it may at this time. (Moving the clock on while a send waits would make it late.)"""
    quiet, last = 0, -1
    for _ in range(100):
        await asyncio.sleep(0.05)
        flying = await Outbox.count().where(Outbox.status == OutboxStatus.SENDING)
        stable = len(phone.sent) == last and not flying
        quiet, last = (quiet + 1 if stable else 0), len(phone.sent)
        if quiet >= 10:
            return


async def simulated(db_url: str | None, minutes: int, backlog: int) -> None:
    async with _database(db_url) as db_url:
        await _simulated(db_url, minutes, backlog)


async def _simulated(db_url: str | None, minutes: int, backlog: int) -> None:
    clock = ManualClock()
    with tempfile.TemporaryDirectory() as tmp:
        container = await _app(Path(tmp) / "data", db_url, clock, send_rate_per_min=60)
        async with lifespan(container):
            _, _, phone = await _owner(container)
            origin = clock.now()
            for i in range(backlog):
                await phone.inject(f"49172{i:07d}@s.whatsapp.net", f"m{i}")
            for _ in range(minutes * 12):  # 5 s steps, each once the dispatcher caught up
                await _settled(phone)
                clock.advance(timedelta(seconds=5))
            await _settled(phone)
            slots = await _slots()
    counts = per_minute(slots, origin, minutes)
    print(f"simulated clock, 60/min, backlog {backlog}, {minutes} min:")
    print(f"  per minute by slot time: {counts}")
    print(
        f"  most in any 60 s: {most_in_a_minute(slots)}; full minutes at 60: "
        f"{sum(c == 60 for c in counts[:-1])}/{minutes - 1}"
    )


async def broadcast_simulated(db_url: str | None, minutes: int, recipients: int) -> None:
    async with _database(db_url) as db_url:
        await _broadcast_simulated(db_url, minutes, recipients)


async def _broadcast_simulated(db_url: str | None, minutes: int, recipients: int) -> None:
    from app.schemas.broadcasts import BroadcastCreateBody

    with tempfile.TemporaryDirectory() as tmp:
        container = await _app(Path(tmp) / "data", db_url, send_rate_per_min=60)
        clock = container.clock
        async with lifespan(container):
            actor, session_id, phone = await _owner(container)
            ws, now = actor.workspace_id or "", clock.now()
            async with Outbox._meta.db.transaction():
                for i in range(recipients):
                    await ensure_contact(ws, session_id, jid_of(f"+4916{i:09d}"), now)
            body = BroadcastCreateBody(
                name="bench", message="Offer for {{contact.phone}}", target_type="ALL"
            )
            service = container.services.broadcasts
            created = await service.create(actor, body)
            origin = clock.now()
            await service.send(actor, created.id)
            # real time: 10 customers a minute write in, one every 6 s
            for writer in range(minutes * 10):
                await asyncio.sleep(3)
                await phone.inject(f"49173{writer:07d}@s.whatsapp.net", "hello?")
                await asyncio.sleep(3)
            rows = await Outbox.select(Outbox.slot_at, Outbox.kind).where(
                Outbox.status == OutboxStatus.SENT
            )
            stats = await service.stats(actor, created.id)
            waited = await fast.execute(
                Outbox,
                "SELECT o.slot_at, m.created_at FROM outbox o JOIN messages m "
                "ON m.id = (SELECT routed_from.id FROM messages routed_from "
                "WHERE routed_from.conversation_id = o.conversation_id "
                "AND routed_from.direction = 'INBOUND' ORDER BY routed_from.created_at LIMIT 1) "
                "WHERE o.kind = 'reply' AND o.status = 'SENT'",
            )
            waited = [
                {"wait": (r["slot_at"] - _aware(r["created_at"])).total_seconds()} for r in waited
            ]
    slots = [r["slot_at"] for r in rows]
    offers = [r["slot_at"] for r in rows if r["kind"] == SendKind.BROADCAST]
    replies = [r["slot_at"] for r in rows if r["kind"] == SendKind.REPLY]
    print(f"broadcast of {recipients} at 60/min, 10 inbound chats a minute, {minutes} min "
          f"(real time):")  # fmt: skip
    print(f"  all sends per minute:       {per_minute(slots, origin, minutes)}")
    print(f"  broadcast per minute:       {per_minute(offers, origin, minutes)}")
    print(f"  replies per minute:         {per_minute(replies, origin, minutes)}")
    waits = [r["wait"] for r in waited]
    print(f"  reply waits (inbound → slot): max {max(waits):.1f} s, mean "
          f"{statistics.mean(waits):.1f} s over {len(waits)} replies")  # fmt: skip
    print(f"  most in any 60 s: all {most_in_a_minute(slots)}; "
          f"stats: sent {stats.sent} of {stats.total}, pending {stats.pending}")  # fmt: skip


async def main_async(args: argparse.Namespace) -> None:
    engine = "postgres" if args.db else "sqlite"
    print(f"engine: {engine}")
    configs = [("budget off", False, 0), ("budget on", True, 0), ("on + 5000 held", True, 5000)]
    results: dict[str, list[dict[str, Any]]] = {c[0]: [] for c in configs}
    for _ in range(args.rounds):
        for label, budget, held in configs:
            results[label].append(await pipeline_cost(args.db, label, budget, held))
    if args.rounds:
        print("pipeline, echo responder; burst of 900 msgs / one at a time 300 msgs:")
    for label, runs in results.items() if args.rounds else ():
        best = {k: statistics.median(r[k] for r in runs) for k in runs[0] if k != "label"}
        print(
            f"  {label:15s} {best['throughput']:6.0f} msg/s, under load p50 "
            f"{best['sat_p50']:5.0f} ms p99 {best['sat_p99']:5.0f} ms; one at a time p50 "
            f"{best['p50']:5.1f} ms p99 {best['p99']:5.1f} ms (median of {len(runs)} runs)"
        )
    if args.simulated_min:
        await simulated(args.db, args.simulated_min, 2500)
    if args.realtime_min:
        await realtime(args.db, args.realtime_min, 400)
    if args.broadcast_min:
        await broadcast_simulated(args.db, args.broadcast_min, 400)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--db", default=None, help="Postgres URL (default: SQLite temp file)")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--realtime-min", type=int, default=2)
    p.add_argument("--simulated-min", type=int, default=30)
    p.add_argument("--broadcast-min", type=int, default=0)
    asyncio.run(main_async(p.parse_args()))


if __name__ == "__main__":
    main()
