"""Data lifecycle at scale (issue 17 item 5): retention's batches and the contact export's memory.

    /work/main/.venv/bin/python -m tests.bench.bench_lifecycle [messages=200000] [media-mb=200]

Retention: `messages` generated over 90 days (bench_analytics' generator, SQLite), aggregated,
then a 30-day retention run — total time, rows, and the longest single batch transaction (how
long the write lock is held at most). Export: one contact with a `media-mb` file and 2,000
messages, exported through the service; the peak of Python's allocations while it streams
(tracemalloc) against the file's size — the zip is never held in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
import time
import tracemalloc
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from app.container import build_container, lifespan
from app.db.tables import Contact, Conversation, Message, WhatsappSession
from app.db.tables import WorkspaceSettings as SettingsRow
from app.domain import Actor, Role
from app.jobs import retention
from app.jobs.analytics import aggregate_hours
from app.records import AuditTrail
from tests.bench.bench_analytics import SPAN_S, _generate
from tests.conftest import make_settings


async def _retention(container: Any, ws: str, messages: int) -> None:
    session = WhatsappSession(workspace_id=ws, account_id="bench", channel="simulator")
    await WhatsappSession.insert(session)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    base = int((now - timedelta(seconds=SPAN_S + 3600)).timestamp())
    await _generate("sqlite", ws, session.id, messages, base)
    await aggregate_hours(container.clock)
    await SettingsRow.update({SettingsRow.message_retention_days: 30}).where(
        SettingsRow.workspace_id == ws
    )
    batches: list[float] = []
    real = retention.transaction

    @contextlib.asynccontextmanager
    async def timed() -> AsyncIterator[None]:
        began = time.perf_counter()
        async with real():
            yield
        batches.append(time.perf_counter() - began)

    retention.transaction = timed  # type: ignore[assignment]  # measure each batch's transaction
    began = time.perf_counter()
    swept = await retention.apply_retention(container.clock, container.storage, AuditTrail())
    took = time.perf_counter() - began
    retention.transaction = real
    left = await Message.count()
    print(f"| retention, {messages:,} messages over 90 days, keep 30 | "
          f"{swept[ws].messages:,} deleted, {left:,} left | {took:.1f} s | "
          f"{len(batches)} batches, longest {max(batches) * 1000:.0f} ms, "
          f"median {sorted(batches)[len(batches) // 2] * 1000:.0f} ms |", flush=True)  # fmt: skip


async def _export(container: Any, ws: str, user_id: str, media_mb: int) -> None:
    contact = Contact(workspace_id=ws, jid="export@s", phone_number="49151")
    await Contact.insert(contact)
    conv = Conversation(workspace_id=ws, contact_id=contact.id)
    await Conversation.insert(conv)
    folder = container.settings.media_path / ws
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "big.mp4").open("wb") as f:
        for _ in range(media_mb):
            f.write(b"\x00" * (1024 * 1024))
    rows = [
        Message(workspace_id=ws, conversation_id=conv.id, direction="INBOUND",
                sender_type="CONTACT", content=f"message {i} " * 10)
        for i in range(2000)
    ]  # fmt: skip
    rows.append(Message(workspace_id=ws, conversation_id=conv.id, direction="INBOUND",
                        sender_type="CONTACT", media_type="VIDEO",
                        media_url=f"media/{ws}/big.mp4"))  # fmt: skip
    await Message.insert(*rows)
    actor = Actor(user_id).in_workspace(ws, Role.OWNER)
    tracemalloc.start()
    began = time.perf_counter()
    export = await container.services.contact_export.open(actor, contact.id)
    size = pieces = 0
    async for piece in export.chunks:
        size += len(piece)
        pieces += 1
    took = time.perf_counter() - began
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"| export, {media_mb} MB file + 2,001 messages | {size / 2**20:.0f} MB zip in "
        f"{pieces} pieces | {took:.1f} s | peak Python allocations {peak / 2**20:.1f} MB |"
    )


async def run(messages: int, media_mb: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        container = build_container(make_settings(Path(tmp) / "data"))
        async with lifespan(container):
            container.scheduler.pause()
            reg = await container.services.auth.register(
                "b@example.com", "Bench-pass-2026", "B", "S"
            )
            assert reg.workspace is not None
            print("| what | result | time | detail |\n|---|---|---|---|")
            await _retention(container, reg.workspace.id, messages)
            await _export(container, reg.workspace.id, reg.user.id, media_mb)


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    mb = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    asyncio.run(run(count, mb))
