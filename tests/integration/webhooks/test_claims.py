"""Two app nodes share one database: their senders never send one delivery twice (claimed in
one statement; `FOR UPDATE SKIP LOCKED` on Postgres) and keep each conversation's order; a node
that dies holding deliveries gives them up when its lease passes. On SQLite and Postgres."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from datetime import timedelta

from app.db.repos import webhooks as repo
from app.db.tx import transaction
from app.domain import DeliveryStatus
from app.events import catalog
from app.jobs.webhook_sender import WebhookSender
from app.net import Egress
from app.records import Subscriptions
from tests.fakes.webhook_receiver import Receiver
from tests.integration.webhooks.conftest import ALLOW, Hooks

EVENTS, KEYS = 120, 12


async def _record(hooks: Hooks, count: int) -> None:
    """`count` events about KEYS documents (each document's events are ordered), one commit."""
    webhooks, ws = hooks.bot.api.container.webhooks, hooks.bot.owner.workspace_id

    async def record() -> None:
        async with transaction():
            for i in range(count):
                doc = f"doc{i % KEYS}"
                event = catalog.document_indexed(ws, doc, "kb", f"{i}", "INDEXED", chunk_count=1)
                await webhooks.record(event)

    await hooks.bot.db(record)


async def test_two_senders_never_send_one_delivery_twice(
    hooks_any_db: Hooks, receiver: Receiver
) -> None:
    hooks = hooks_any_db
    c = hooks.bot.api.container
    await hooks.subscribe(receiver.url, ["knowledge.document.indexed"])
    other = WebhookSender(  # a second node: its own cache, client and claims
        c.clock, Egress(ALLOW), c.cipher, c.notifier, Subscriptions(), c.webhook_sender.policy
    )
    await hooks.bot.db(other.start)
    try:
        await _record(hooks, EVENTS)

        async def wake_both() -> None:
            c.webhook_sender.wake()
            other.wake()

        deadline = time.monotonic() + 60
        while len(receiver.requests) < EVENTS and time.monotonic() < deadline:
            await hooks.bot.db(wake_both)
            time.sleep(0.02)
        got = receiver.wait_for(EVENTS)
        time.sleep(0.3)
    finally:
        await hooks.bot.db(other.stop)
    ids = Counter(r.headers["X-Aimy-Delivery"] for r in receiver.requests)
    assert len(ids) == EVENTS and max(ids.values()) == 1  # each once, none twice
    assert other.attempted > 0 and c.webhook_sender.attempted > 0  # both nodes took part
    order: dict[str, list[int]] = defaultdict(list)
    for r in got:
        data = r.json["data"]
        order[data["documentId"]].append(int(data["name"]))
    assert len(order) == KEYS and all(seen == sorted(seen) for seen in order.values())


async def test_a_dead_nodes_claims_pass_to_another_after_the_lease(
    hooks_any_db: Hooks, receiver: Receiver
) -> None:
    hooks = hooks_any_db
    c = hooks.bot.api.container
    sender = c.webhook_sender
    await hooks.bot.db(sender.stop)  # the node that will claim and die is us, by hand
    await hooks.subscribe(receiver.url, ["knowledge.document.indexed"])
    await _record(hooks, 3)

    async def claim() -> list[repo.Claimed]:
        return await repo.claim(c.clock.now(), sender.policy.lease, 10)

    held = await hooks.bot.db(claim)
    assert len(held) == 3  # one per document
    await hooks.bot.db(sender.start)  # the live node
    await hooks.wake()
    time.sleep(0.3)
    assert receiver.requests == []  # claimed by the dead node: not yet
    await hooks.later(sender.policy.lease.total_seconds() + 1)
    receiver.wait_for(3)
    assert {r.headers["X-Aimy-Delivery"] for r in receiver.requests} == {d.id for d in held}

    async def late_settle() -> bool:  # the dead node wakes up: its outcome is not recorded
        now = c.clock.now()
        return await repo.settle(
            held[0], DeliveryStatus.FAILED, now, status_code=None, duration_ms=1, error="late"
        )

    time.sleep(0.3)
    assert await hooks.bot.db(late_settle) is False


async def test_quick_failures_do_not_switch_a_webhook_off(hooks: Hooks) -> None:
    """Ten failures within seconds (a receiver restarting) are not ten over an hour."""
    with Receiver([500] * 12) as receiver:
        hook = await hooks.subscribe(receiver.url, ["knowledge.document.indexed"])
        c = hooks.bot.api.container
        ws = hooks.bot.owner.workspace_id

        async def record() -> None:
            for i in range(12):
                event = catalog.document_indexed(ws, f"d{i}", "kb", "n", "INDEXED")
                async with transaction():
                    await c.webhooks.record(event)

        await hooks.bot.db(record)
        receiver.wait_for(12)
        time.sleep(0.3)
    webhook = await hooks.webhook(hook["id"])
    assert webhook["failureCount"] == 12 and webhook["isActive"]
    assert c.webhook_sender.policy.disable_min == timedelta(hours=1)


async def test_retention_keeps_seven_days_and_the_last_thousand(hooks_any_db: Hooks) -> None:
    """The nightly cleanup's part: settled deliveries older than 7 days go, and any beyond a
    webhook's newest 1,000; what still waits to be sent stays whatever its age."""
    hooks = hooks_any_db
    from app.db.tables import WebhookDelivery
    from app.domain import new_id
    from app.jobs.cleanup import cleanup_expired

    c = hooks.bot.api.container
    hook = await hooks.subscribe("http://127.0.0.1:9/hook", ["flow.completed"])
    now = c.clock.now()

    async def fill() -> None:
        def row(n: int, status: DeliveryStatus, age: timedelta) -> dict:
            return {
                "id": new_id(),
                "webhook_id": hook["id"],
                "workspace_id": hooks.bot.owner.workspace_id,
                "event_id": new_id(),
                "event_type": "flow.completed",
                "body": "{}",
                "seq": n,
                "status": status,
                "next_attempt_at": now + timedelta(days=1),
                "created_at": now - age,
            }

        async with transaction():
            for n in range(3):  # a week and a day old: gone
                await repo.insert(row(n, DeliveryStatus.FAILED, timedelta(days=8)))
            for n in range(3, 5):  # as old, but still to be sent: kept
                await repo.insert(row(n, DeliveryStatus.PENDING, timedelta(days=8)))
            for n in range(5, 1010):  # 1,005 recent ones: the 5 oldest go
                await repo.insert(row(n, DeliveryStatus.DELIVERED, timedelta(hours=1)))

    await hooks.bot.db(fill)
    removed = await hooks.bot.db(lambda: cleanup_expired(c.clock))
    assert removed["webhook_deliveries"] == 3 + 5
    left = await hooks.bot.db(lambda: WebhookDelivery.select(WebhookDelivery.seq))
    seqs = sorted(r["seq"] for r in left)
    assert seqs == [3, 4, *range(10, 1010)]
