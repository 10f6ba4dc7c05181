"""What a power loss may take (app/db/durability.py): in "inbound" durability an inbound
message is fsynced to the WAL — off the event loop — before it is acknowledged, concurrent
messages share fsyncs; "full" is SQLite's synchronous=FULL; "normal" never waits."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

import pytest

from app.db import close_engine, create_engine, open_engine
from app.db import durability as module
from tests.integration.api.conftest import _api
from tests.integration.bots import _bot


@pytest.fixture
def fsyncs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, float]]:
    """Every fsync the durability layer makes: (file, when), and 20 ms each like a disk."""
    done: list[tuple[str, float]] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        time.sleep(0.02)
        real(fd)
        done.append((os.readlink(f"/proc/self/fd/{fd}"), time.monotonic()))

    monkeypatch.setattr(module.os, "fsync", fsync)
    return done


@pytest.mark.parametrize(("durability", "synced"), [("inbound", True), ("normal", False)])
async def test_an_acknowledged_message_is_on_disk(
    tmp_path: Path, fsyncs: list[tuple[str, float]], durability: str, synced: bool
) -> None:
    async for api in _api(tmp_path / "data", None, auto_reply="echo", sqlite_durability=durability):
        bot = await _bot(api)
        fsyncs.clear()
        await bot.simulate("+4917600000001", "keep me")
        acknowledged = time.monotonic()
        wal = [at for path, at in fsyncs if path.endswith("aimywhatsapp.db-wal")]
        assert bool(wal and wal[0] <= acknowledged) is synced


async def test_concurrent_messages_share_fsyncs(
    tmp_path: Path, fsyncs: list[tuple[str, float]]
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/d.db", sqlite_durability="inbound")
    await open_engine(engine)
    try:
        await engine.run_ddl("CREATE TABLE t (x INTEGER)")
        fsyncs.clear()
        started = time.monotonic()

        async def store(i: int) -> float:
            await engine.run_ddl(f"INSERT INTO t VALUES ({i})")
            await engine.make_durable()  # type: ignore[attr-defined]
            return time.monotonic()

        done = await asyncio.gather(*(store(i) for i in range(30)))
        assert 1 <= len(fsyncs) <= 3  # group commit: not 30 × 20 ms
        assert all(t >= fsyncs[0][1] for t in done)  # nobody returned before an fsync
        assert time.monotonic() - started < 0.3
    finally:
        await close_engine(engine)


@pytest.mark.parametrize(("durability", "level"), [("normal", 1), ("inbound", 1), ("full", 2)])
async def test_synchronous_pragma_follows_durability(
    tmp_path: Path, durability: Any, level: int
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/d.db", sqlite_durability=durability)
    await open_engine(engine)
    try:
        rows = await engine.run_ddl("PRAGMA synchronous")
        assert rows[0]["synchronous"] == level
    finally:
        await close_engine(engine)
