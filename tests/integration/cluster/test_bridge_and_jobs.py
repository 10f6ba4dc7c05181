"""Events across nodes (LISTEN/NOTIFY, app/cluster/bridge.py) and periodic jobs once per
cluster (app/cluster/once.py), on a real Postgres: two "nodes" are two bridges (two buses)
or two concurrent ticks in one process — the database cannot tell the difference."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from piccolo.engine.base import Engine

from app.cluster.bridge import MAX_PAYLOAD, EventBridge
from app.cluster.once import once_per_cluster
from app.domain import SystemClock
from app.events.bus import Event, EventBus, Subscription

pytestmark = pytest.mark.postgres

Nodes = tuple[EventBus, EventBus, EventBridge, EventBridge]  # two buses and their bridges


@pytest.fixture
async def pg(db: Engine, db_url: str) -> str:
    if db_url.startswith("sqlite"):
        pytest.skip("LISTEN/NOTIFY and advisory locks are Postgres's")
    return db_url


@pytest.fixture
async def nodes(pg: str) -> AsyncIterator[Nodes]:
    one, two = EventBus(), EventBus()
    bridges = [EventBridge(pg, "node-1", one), EventBridge(pg, "node-2", two)]
    for bridge in bridges:
        await bridge.start()
        assert bridge.connected.is_set()
    try:
        yield one, two, bridges[0], bridges[1]
    finally:
        for bridge in bridges:
            await bridge.stop()


async def _next(sub: Subscription, timeout: float = 5.0) -> Event:
    return await asyncio.wait_for(sub.queue.get(), timeout)


async def test_events_reach_the_other_node_once_large_ones_through_the_spill(
    nodes: Nodes,
) -> None:
    one, two, _, _ = nodes
    big = {"text": "x" * (MAX_PAYLOAD * 2)}
    with one.subscribe("ws-1") as here, two.subscribe("ws-1") as there:
        one.publish(Event("message:new", "ws-1", {"text": "small"}, "conv-1"))
        one.publish(Event("message:new", "ws-1", big, "conv-1"))
        got = [await _next(there), await _next(there)]
        assert sorted(len(e.data["text"]) for e in got) == [5, MAX_PAYLOAD * 2]
        assert got[0].conversation_id == "conv-1"
        await asyncio.sleep(0.3)  # an echo of our own would have arrived by now
        assert here.queue.qsize() == 2 and there.queue.qsize() == 0
        for i in range(100):  # a burst: packed several to a NOTIFY, still in order
            one.publish(Event("typing:start", "ws-1", {"i": i}))
        assert [(await _next(there)).data["i"] for _ in range(100)] == list(range(100))


async def test_the_bridge_reconnects_after_losing_its_connection(pg: str, nodes: Nodes) -> None:
    one, two, _, bridge = nodes
    connection = await asyncpg.connect(pg)
    try:
        await connection.execute("SELECT pg_terminate_backend($1)", bridge.server_pid)
    finally:
        await connection.close()
    await asyncio.sleep(0.1)
    await asyncio.wait_for(bridge.connected.wait(), 10)
    with two.subscribe("ws-1") as there:
        for _ in range(50):  # the other side may still be reconnecting too
            one.publish(Event("message:new", "ws-1", {"text": "again"}))
            try:
                assert (await _next(there, 0.2)).data == {"text": "again"}
                return
            except TimeoutError:
                continue
    raise AssertionError("no event after the reconnect")


async def test_a_periodic_job_runs_once_per_cluster(pg: str) -> None:
    runs: list[str] = []

    async def job(label: str) -> None:
        runs.append(label)
        await asyncio.sleep(0.3)

    clock = SystemClock()
    ticks = [once_per_cluster("nightly", job, clock, f"node-{i}", min_gap_s=60) for i in range(3)]
    await asyncio.gather(*(tick(f"node-{i}") for i, tick in enumerate(ticks)))
    assert len(runs) == 1  # three nodes' ticks at once: one ran
    await ticks[1]("later")
    assert len(runs) == 1  # a tick later in the same period: already done


async def test_signals_and_remote_events_reach_the_other_nodes_hooks(
    nodes: Nodes,
) -> None:
    one, _, bridge_one, bridge_two = nodes
    heard: asyncio.Queue[str] = asyncio.Queue()
    bridge_two.on_signal = heard.put_nowait
    bridge_two.on_event = lambda event: heard.put_nowait(event.name)
    one.publish(Event("message:new", "ws-1", {"text": "a reply queued on node 1"}))
    assert await asyncio.wait_for(heard.get(), 5) == "message:new"  # node 2's dispatcher wakes
    bridge_one.signal("leases")  # node 1 freed leases: node 2's keeper looks now
    assert await asyncio.wait_for(heard.get(), 5) == "leases"
