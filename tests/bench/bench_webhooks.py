"""Webhook figures (issue 16): what publishing costs the message path, and how fast the sender
delivers to a fast local receiver.

Run: `python -m tests.bench.bench_webhooks [--db postgresql://…] [--rounds 6] [--per-round 50]
[--deliveries 3000]`

1. The pipeline's own latency (inbound → reply sent, one message at a time, the echo bot), side
   by side in one run: rounds alternate four settings so load on the shared machine falls on
   all of them alike — no webhook; a webhook for an event that never happens here
   (`broadcast.completed`: the cached "anyone listening?" lookup only); a webhook for `*`
   with the sender paused during the round (four deliveries written per message, in the
   change's transactions: the cost of publishing); the same with the sender posting them
   meanwhile (publishing plus the sender's HTTP work on the same event loop); and to a
   receiver that takes 0.3 s to answer (the reply never waits for a receiver).
2. Deliveries per second: N events recorded with the sender stopped, then the sender started
   and timed until the last is DELIVERED — with the events spread over 200 conversations, and
   all in one conversation (strict order: one in flight at a time).

The receiver runs in its own process (`--receiver PORT`): a bare asyncio HTTP/1.1 server that
answers 204 at once, keeping connections alive.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from app.channels import SimulatorChannel
from app.container import Container, build_container, lifespan
from app.db.tables import WebhookDelivery
from app.db.tx import transaction
from app.domain import Actor, DeliveryStatus, Role
from app.events import catalog
from app.schemas.webhooks import WebhookCreateBody, WebhookPatchBody
from tests.bench.bench_pipeline import pct, wait_sent
from tests.conftest import make_settings
from tests.e2e.conftest import free_port

MODES = (
    "no webhook",
    "webhook, other event",
    "every event, not sent yet",
    "every event, sent",
    "every event, slow receiver",
)
SLOW_S = 0.3  # the slow receiver's answer time


async def _serve(port: int) -> None:
    """The receiver: read each request (headers + Content-Length body), answer 204."""
    served = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal served
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if b" /slow" in head.split(b"\r\n", 1)[0]:
                    await asyncio.sleep(SLOW_S)
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                served += 1
                writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


def receiver(port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.bench.bench_webhooks", "--receiver", str(port)]
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            httpx.post(f"http://127.0.0.1:{port}/", content=b"{}", timeout=1)
            return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("receiver did not start")


async def steady(
    container: Container,
    actor: Actor,
    phone: SimulatorChannel,
    url: str,
    rounds: int,
    per_round: int,
) -> None:
    services = container.services
    hook = await services.webhooks.create(
        actor, WebhookCreateBody(name="bench", url=url, events=["*"], is_active=False)
    )
    jids = [f"49171{i:07d}@s.whatsapp.net" for i in range(200)]
    samples: dict[str, list[float]] = {mode: [] for mode in MODES}
    for i in range(5):  # warm-up, not measured: the first message pays for start-up work
        start = len(phone.sent)
        await phone.inject(f"49170{i:07d}@s.whatsapp.net", "warm-up")
        await wait_sent(phone, start + 1, timeout=30)
        await phone.settle()
    n = 0
    for _ in range(rounds):
        for mode in MODES:
            patch = {
                "no webhook": WebhookPatchBody(is_active=False),
                "webhook, other event": WebhookPatchBody(
                    is_active=True, events=["broadcast.completed"]
                ),
                "every event, not sent yet": WebhookPatchBody(
                    is_active=True, events=["*"], url=url
                ),
                "every event, sent": WebhookPatchBody(is_active=True, events=["*"], url=url),
                "every event, slow receiver": WebhookPatchBody(
                    is_active=True, events=["*"], url=url.replace("/hook", "/slow")
                ),
            }[mode]
            await services.webhooks.update(actor, hook.id, patch)
            paused = mode == "every event, not sent yet"
            if paused:  # only the writing: the sender catches up after this round
                await container.webhook_sender.stop()
            for _ in range(per_round):
                text = f"p{n}"
                start = len(phone.sent)
                t0 = time.time()
                await phone.inject(jids[n % len(jids)], text)
                await wait_sent(phone, start + 1, timeout=30)
                samples[mode].append((phone.sent[-1].timestamp.timestamp() - t0) * 1000)
                await phone.settle()
                n += 1
            if paused:
                await container.webhook_sender.start()
            if mode != "no webhook":
                await drained()  # the next setting starts with nothing left to send
    await drained()
    delivered = await WebhookDelivery.count().where(
        WebhookDelivery.status == DeliveryStatus.DELIVERED
    )
    print(f"1. inbound → reply sent, one at a time ({rounds} rounds × {per_round} per setting)")
    for mode, values in samples.items():
        print(
            f"   {mode:24s} p50 {pct(values, 50):5.1f} ms   p99 {pct(values, 99):5.1f} ms   "
            f"mean {statistics.mean(values):5.1f} ms"
        )
    print(f"   deliveries made meanwhile: {delivered}")
    await services.webhooks.delete(actor, hook.id)


async def drained() -> None:
    """Wait until nothing is left to send."""
    waiting = WebhookDelivery.status.is_in([DeliveryStatus.PENDING, DeliveryStatus.SENDING])
    while await WebhookDelivery.count().where(waiting):
        await asyncio.sleep(0.05)


async def throughput(container: Container, actor: Actor, url: str, count: int, keys: int) -> float:
    services, sender = container.services, container.webhook_sender
    hook = await services.webhooks.create(
        actor, WebhookCreateBody(name=f"tp{keys}", url=url, events=["knowledge.document.indexed"])
    )
    await sender.stop()
    ws = actor.workspace_id or ""
    for batch in range(0, count, 500):
        async with transaction():
            for i in range(batch, min(count, batch + 500)):
                event = catalog.document_indexed(ws, f"doc{i % keys}", "kb", f"{i}", "INDEXED")
                await container.webhooks.record(event)
    t0 = time.perf_counter()
    await sender.start()
    done = 0
    while done < count:
        await asyncio.sleep(0.05)
        done = await WebhookDelivery.count().where(
            (WebhookDelivery.webhook_id == hook.id)
            & (WebhookDelivery.status == DeliveryStatus.DELIVERED)
        )
    elapsed = time.perf_counter() - t0
    await services.webhooks.delete(actor, hook.id)
    return count / elapsed


async def run(db_url: str | None, rounds: int, per_round: int, count: int) -> None:
    port = free_port()
    proc = receiver(port)
    url = f"http://127.0.0.1:{port}/hook"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = make_settings(
                Path(tmp) / "data",
                database_url=db_url,
                auto_reply="echo",
                ssrf_allow=("127.0.0.1",),
                webhook_poll_s=0.05,
            )
            container = build_container(settings)
            async with lifespan(container):
                session = await container.services.auth.register(
                    "bench@example.com", "Bench-Secret-1", "Bench", "Bench"
                )
                assert session.workspace is not None
                actor = Actor(session.user.id, session.workspace.id, Role.OWNER)
                wa = await container.services.sessions.create(actor, "bench", "simulator")
                phone = container.channels.get(wa.id)
                assert isinstance(phone, SimulatorChannel)
                print(f"engine: {'postgres' if db_url else 'sqlite'}")
                await steady(container, actor, phone, url, rounds, per_round)
                spread = await throughput(container, actor, url, count, 200)
                one = await throughput(container, actor, url, count // 3, 1)
                print(
                    f"2. deliveries per second to a local receiver (concurrency "
                    f"{container.webhook_sender.policy.concurrency}):"
                )
                print(f"   {count} events over 200 conversations: {spread:.0f} /s")
                print(f"   {count // 3} events of one conversation (strict order): {one:.0f} /s")
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--db", default=None, help="Postgres URL (default: SQLite temp file)")
    p.add_argument("--rounds", type=int, default=6)
    p.add_argument("--per-round", type=int, default=50)
    p.add_argument("--deliveries", type=int, default=3000)
    p.add_argument("--receiver", type=int, default=None, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.receiver:
        asyncio.run(_serve(args.receiver))
        return
    asyncio.run(run(args.db, args.rounds, args.per_round, args.deliveries))


if __name__ == "__main__":
    main()
