"""WhatsApp credentials sealed into the database (m0029), on SQLite and Postgres: the round
trip, unreadable blobs, the lease fence on writes, the import of an old install's sealed file,
a live checkpoint of a SQLite store a worker is writing, and a takeover where node B runs the
session from what node A sealed — with nothing from A's disk."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from piccolo.engine.base import Engine

from app.channels import CredentialVault, SupervisorConfig, VaultError
from app.channels.neonize_channel import NeonizeChannel
from app.channels.neonize_worker import DB_NAME
from app.db.repos import credentials, leases
from app.db.repos.leases import Fence
from app.db.tables import SessionCredentials, Workspace
from app.domain import SessionStatus
from app.domain.time import utcnow
from app.pipeline.credentials import DbSealedStore
from tests.integration.channels.conftest import FakeSleep, Recorder, eventually
from tests.integration.db.graph import Graph, build

SECRET = b"identity-key noise-key adv-secret"


class Holder:
    """What a node's lease keeper answers for one session: the fence it holds (or None)."""

    def __init__(self, node: str) -> None:
        self.node = node
        self.fence: Fence | None = None

    async def claim(self, session_id: str, at_s: float = 0.0) -> int:
        now = utcnow() + timedelta(seconds=at_s)
        await leases.release(self.node, now)  # a (re)starting node frees its old leases
        await leases.ensure_rows(now)
        (taken,) = await leases.claim(self.node, now, now + timedelta(seconds=5), 1, session_id)
        self.fence = Fence(self.node, taken.token)
        return taken.token


def vault(
    session: Any, run: Path, key: bytes, fence: Holder | None = None, **kw: Any
) -> CredentialVault:
    store = DbSealedStore(
        session.id, session.workspace_id, utcnow, None if fence is None else lambda: fence.fence
    )
    return CredentialVault(store, run, key, session_id=session.id, **kw)


def _db_channel(
    g: Graph,
    key: bytes,
    disk: Path,
    recorder: Recorder,
    script: str,
    *,
    fence: Callable[[], Fence | None] | None = None,
    config: SupervisorConfig | None = None,
) -> NeonizeChannel:
    """A neonize channel whose credentials are the session's row (fenced by `fence`), with
    the fake worker running `script`, on its own disk `disk`."""
    return NeonizeChannel(
        g.session.id,
        disk / "sessions" / g.session.id,
        key,
        recorder.events(),
        runtime_base=disk / "run",
        sleep=FakeSleep(),
        fake_script=script,
        store=DbSealedStore(g.session.id, g.workspace.id, utcnow, fence),
        **({"config": config} if config is not None else {}),
    )


async def test_round_trip_through_the_database(db: Engine, tmp_path: Path) -> None:
    g = await build()
    key = os.urandom(32)
    first = vault(g.session, tmp_path / "a", key)
    runtime = await first.open()
    (runtime / "whatsmeow.db").write_bytes(SECRET)
    await first.seal()
    assert not runtime.exists()
    (row,) = await SessionCredentials.select().where(SessionCredentials.id == g.session.id)
    assert row["workspace_id"] == g.workspace.id and SECRET not in base64.b64decode(row["blob"])
    again = await vault(g.session, tmp_path / "b", key).open()  # another dir: from the row
    assert (again / "whatsmeow.db").read_bytes() == SECRET
    # wrong key, tampered blob: unreadable (the supervisor turns it into credentials_unreadable)
    with pytest.raises(VaultError):
        await vault(g.session, tmp_path / "c", os.urandom(32)).open()
    blob = bytearray(base64.b64decode(row["blob"]))
    blob[-1] ^= 1
    tampered = base64.b64encode(blob).decode()
    await SessionCredentials.update({SessionCredentials.blob: tampered}, force=True)
    with pytest.raises(VaultError):
        await vault(g.session, tmp_path / "d", key).open()
    await vault(g.session, tmp_path / "e", key).destroy()  # logout
    assert await credentials.load(g.session.id) is None
    assert await credentials.save(g.session.id, g.workspace.id, b"sealed", utcnow(), None)
    await Workspace.delete().where(Workspace.id == g.workspace.id)  # its sessions go, and so
    assert await credentials.load(g.session.id) is None  # do their credentials


async def test_a_stale_fencing_token_cannot_write(db: Engine, tmp_path: Path) -> None:
    g = await build()
    key = os.urandom(32)
    node_a, node_b = Holder("node-a"), Holder("node-b")
    await node_a.claim(g.session.id)
    on_a = vault(g.session, tmp_path / "a", key, node_a)
    ((await on_a.open()) / "whatsmeow.db").write_bytes(b"from a")
    assert await on_a.checkpoint()
    token_b = await node_b.claim(g.session.id, at_s=6)  # a's lease lapsed
    on_b = vault(g.session, tmp_path / "b", key, node_b)
    runtime_b = await on_b.open()
    assert (runtime_b / "whatsmeow.db").read_bytes() == b"from a"
    (runtime_b / "whatsmeow.db").write_bytes(b"from b, newer")
    assert await on_b.checkpoint()
    # a, paused past its lease, wakes up and seals: refused, its copy dropped
    ((tmp_path / "a") / "whatsmeow.db").write_bytes(b"from a, stale")
    assert not await on_a.checkpoint()
    await on_a.seal()
    assert not (tmp_path / "a").exists()
    stored = await credentials.load(g.session.id)
    assert stored is not None and stored[1] == token_b
    assert (await vault(g.session, tmp_path / "c", key).open() / "whatsmeow.db").read_bytes() == (
        b"from b, newer"
    )
    node_b.fence = None  # b's keeper noticed it lost the lease: nothing is written either
    assert not await credentials.save(
        g.session.id, g.workspace.id, b"x", utcnow(), Fence("node-a", 1)
    )
    assert not await on_b.checkpoint()


async def test_a_crash_leftover_is_sealed_unless_another_node_sealed_since(
    db: Engine, tmp_path: Path
) -> None:
    g = await build()
    key = os.urandom(32)
    node_a, node_b = Holder("node-a"), Holder("node-b")
    await node_a.claim(g.session.id)
    on_a = vault(g.session, tmp_path / "a", key, node_a)
    ((await on_a.open()) / "whatsmeow.db").write_bytes(b"a, never sealed")  # then a died
    await node_a.claim(g.session.id, at_s=6)  # a restarted and took its session back
    reopened = await vault(g.session, tmp_path / "a", key, node_a).open()
    assert (reopened / "whatsmeow.db").read_bytes() == b"a, never sealed"  # kept: newest
    await node_b.claim(g.session.id, at_s=12)  # a died again; b ran it and sealed
    on_b = vault(g.session, tmp_path / "b", key, node_b)
    ((await on_b.open()) / "whatsmeow.db").write_bytes(b"b")
    await on_b.seal()
    await node_a.claim(g.session.id, at_s=18)  # a is back and takes it over again
    runtime = await vault(g.session, tmp_path / "a", key, node_a).open()
    assert (runtime / "whatsmeow.db").read_bytes() == b"b"  # a's stale leftover dropped


async def test_an_old_sealed_file_is_imported_then_removed(db: Engine, tmp_path: Path) -> None:
    g = await build()
    key = os.urandom(32)
    legacy = tmp_path / "sessions" / g.session.id / "credentials.sealed"
    old = CredentialVault(legacy, tmp_path / "old", key, session_id=g.session.id)
    ((await old.open()) / "whatsmeow.db").write_bytes(SECRET)
    await old.seal()
    damaged = tmp_path / "damaged.sealed"
    damaged.write_bytes(legacy.read_bytes()[:-1] + b"\0")
    with pytest.raises(VaultError):  # unreadable: left where it is, nothing imported
        await vault(g.session, tmp_path / "r0", key, legacy=damaged).open()
    assert damaged.exists() and await credentials.load(g.session.id) is None
    runtime = await vault(g.session, tmp_path / "r1", key, legacy=legacy).open()
    assert (runtime / "whatsmeow.db").read_bytes() == SECRET
    assert not legacy.exists() and await credentials.load(g.session.id) is not None


async def test_a_checkpoint_copies_a_live_sqlite_store_consistently(
    db: Engine, tmp_path: Path
) -> None:
    g = await build()
    key = os.urandom(32)
    live = vault(g.session, tmp_path / "run", key)
    runtime = await live.open()
    with contextlib.closing(sqlite3.connect(runtime / DB_NAME)) as worker:  # the "worker"
        worker.execute("PRAGMA journal_mode=WAL")
        worker.execute("CREATE TABLE keys (k TEXT)")
        worker.executemany("INSERT INTO keys VALUES (?)", [(f"k{i}",) for i in range(50)])
        worker.commit()  # in the WAL, not yet in the main file
        assert await live.checkpoint()
        assert not await live.checkpoint()  # unchanged: nothing written
        copy = await vault(g.session, tmp_path / "copy", key).open()
        assert {p.name for p in copy.iterdir()} == {DB_NAME, ".aimy-token"}  # WAL folded in
        with contextlib.closing(sqlite3.connect(copy / DB_NAME)) as read:
            assert read.execute("SELECT COUNT(*) FROM keys").fetchone() == (50,)


async def test_takeover_runs_on_what_node_a_sealed(
    db: Engine, tmp_path: Path, recorder: Recorder
) -> None:
    """Node A pairs (the fake worker writes device keys, then connects: the connection
    checkpoints them into the row), then A is gone — its lease lapses; node B, with its own
    disk, runs the session from the row."""
    g = await build()
    key = os.urandom(32)
    node_a, node_b = Holder("node-a"), Holder("node-b")

    def channel(node: Holder, disk: str, script: str) -> NeonizeChannel:
        config = SupervisorConfig(stop_grace=5, request_timeout=20)
        fence = lambda: node.fence  # noqa: E731
        return _db_channel(g, key, tmp_path / disk, recorder, script, fence=fence, config=config)

    await node_a.claim(g.session.id)
    on_a = channel(node_a, "a", "write_creds,connected")
    await on_a.start()
    await eventually(lambda: on_a.status is SessionStatus.CONNECTED)

    async def sealed() -> bool:
        return await credentials.load(g.session.id) is not None

    deadline = asyncio.get_running_loop().time() + 15
    while not await sealed() and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.02)
    assert await sealed()  # the connection checkpointed the fresh keys
    worker = on_a.supervisor.worker
    assert worker is not None
    await node_b.claim(g.session.id, at_s=6)  # a's lease lapsed
    node_a.fence = None  # a's keeper noticed: a's channel writes nothing more
    on_b = channel(node_b, "b", "connected")
    await on_b.start()
    await eventually(lambda: on_b.status is SessionStatus.CONNECTED)
    runtime_b = on_b.vault.runtime_dir
    assert (runtime_b / DB_NAME).read_text().startswith("device-keys")
    assert not any((tmp_path / "b").rglob("credentials.sealed"))
    worker.process.kill()  # a dies for good
    await on_a.stop()
    await on_b.stop()
    stored = await credentials.load(g.session.id)
    assert node_b.fence is not None and stored is not None and stored[1] == node_b.fence.token


async def test_an_unreadable_row_stops_the_session_as_credentials_unreadable(
    db: Engine, tmp_path: Path, recorder: Recorder
) -> None:
    g = await build()
    key = os.urandom(32)
    other = vault(g.session, tmp_path / "other", os.urandom(32))  # sealed with another key
    ((await other.open()) / DB_NAME).write_bytes(SECRET)
    await other.seal()
    channel = _db_channel(g, key, tmp_path, recorder, "connected")
    await channel.start()
    await eventually(lambda: not channel.supervisor.running)
    assert channel.status is SessionStatus.ERROR
    assert [a.code for a in recorder.alerts] == ["credentials_unreadable"]
    stored = await credentials.load(g.session.id)
    assert stored is not None and stored[0].startswith(b"AIMYWA1\0")  # never overwritten


async def test_a_running_worker_is_checkpointed_every_checkpoint_s(
    db: Engine, tmp_path: Path, recorder: Recorder
) -> None:
    """Keys the worker writes after connecting reach the database while it still runs: a
    node killed now would lose nothing older than `checkpoint_s`."""
    g = await build()
    key = os.urandom(32)
    config = SupervisorConfig(stop_grace=5, request_timeout=20, checkpoint_s=0.2)
    script = "connected,sleep:0.3,write_creds"
    channel = _db_channel(g, key, tmp_path, recorder, script, config=config)
    await channel.start()
    await eventually(lambda: channel.status is SessionStatus.CONNECTED)

    async def in_database(attempt: int) -> bool:
        copy = await vault(g.session, tmp_path / f"check{attempt}", key).open()
        return (copy / DB_NAME).exists() and "device-keys" in (copy / DB_NAME).read_text()

    deadline, attempt = asyncio.get_running_loop().time() + 15, 0
    while not await in_database(attempt):
        attempt += 1
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the running worker's keys never reached the database")
        await asyncio.sleep(0.05)
    assert channel.supervisor.worker is not None and channel.supervisor.worker.alive
    await channel.stop()
