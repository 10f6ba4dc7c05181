"""Events across nodes (issue 18 item 3): how long an event takes from `publish` on one node's
bus to a subscriber on another node's bus, through Postgres LISTEN/NOTIFY.

Run: `python -m tests.bench.bench_cluster_events --db postgresql://… [--events 500]`

Two buses with their bridges in one process stand for two nodes (the same two connections
and the same Postgres round trips as two processes; one event loop does both ends). Events
are published one at a time, each waited for on the other side: a small one (a typical
`message:new`, ~1 kB) and a large one (20 kB: stored in `event_spill`, its id notified, the
row read back by the listener). Figures go to tests/bench/RESULTS-cluster.md.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import time

import asyncpg

from app.cluster.bridge import EventBridge
from app.db import bind_tables, close_engine, create_engine, migrate, open_engine
from app.events.bus import Event, EventBus


async def _admin(url: str, sql: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def _latencies(one: EventBus, two: EventBus, size: int, count: int) -> list[float]:
    out: list[float] = []
    with two.subscribe("ws") as sub:
        for i in range(count):
            started = time.perf_counter()
            one.publish(Event("message:new", "ws", {"i": i, "text": "x" * size}, "conv"))
            await asyncio.wait_for(sub.queue.get(), 5)
            out.append((time.perf_counter() - started) * 1000)
    return out


def _line(name: str, ms: list[float]) -> str:
    ms = sorted(ms)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    return f"| {name} | {len(ms)} | {statistics.median(ms):.2f} | {p99:.2f} | {ms[-1]:.2f} |"


async def main(base: str, count: int) -> None:
    schema = f"bench_{secrets.token_hex(4)}"
    await _admin(base, f"CREATE SCHEMA {schema}")
    url = f"{base}{'&' if '?' in base else '?'}search_path={schema}"
    engine = create_engine(url)
    bind_tables(engine)
    await open_engine(engine)
    try:
        await migrate(engine)
        one, two = EventBus(), EventBus()
        bridges = [EventBridge(url, "node-1", one), EventBridge(url, "node-2", two)]
        for bridge in bridges:
            await bridge.start()
        try:
            await _latencies(one, two, 100, 20)  # warm up
            small = await _latencies(one, two, 1_000, count)
            large = await _latencies(one, two, 20_000, max(50, count // 5))
        finally:
            for bridge in bridges:
                await bridge.stop()
        print("| event | n | p50 ms | p99 ms | max ms |")
        print("|---|---|---|---|---|")
        print(_line("~1 kB (NOTIFY payload)", small))
        print(_line("20 kB (event_spill + id)", large))
    finally:
        await close_engine(engine)
        await _admin(base, f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--events", type=int, default=500)
    args = parser.parse_args()
    asyncio.run(main(args.db, args.events))
