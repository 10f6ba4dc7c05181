"""Postgres in SQLite's durability modes (app/db/engine.py `_Postgres`): commits don't wait
for the WAL fsync, except the transaction that stores an inbound message — what a 202
promises survives a power loss, everything else is as safe as SQLite's NORMAL."""

from __future__ import annotations

import pytest
from piccolo.engine.base import Engine

from app.db.repos.inbound import Persisted, persist_inbound
from app.db.tables import Message
from tests.integration.pipeline.test_resolver import NOW, PHONE, _msg, _session


async def _synchronous_commit() -> str:
    engine = Message._meta.db
    transaction = engine.current_transaction.get()
    if transaction is not None:
        return str(await transaction.connection.fetchval("SHOW synchronous_commit"))
    async with engine.pool.acquire() as connection:
        return str(await connection.fetchval("SHOW synchronous_commit"))


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
async def test_only_the_inbound_transaction_waits_for_the_disk(db: Engine) -> None:
    ws, session = await _session()
    seen: list[bool] = []

    async def inside(_: Persisted) -> None:
        seen.append(db.current_transaction.get().durable)

    assert await persist_inbound(ws, session, _msg("A", PHONE), NOW, inside) is not None
    assert seen == [True]  # the message's COMMIT is fsynced before it is acknowledged
    assert await _synchronous_commit() == "off"  # the rest is async
    async with db.transaction() as transaction:
        assert not transaction.durable
        assert await _synchronous_commit() == "off"


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
async def test_a_durable_commit_commits(db: Engine) -> None:
    """`SET LOCAL synchronous_commit TO on; COMMIT` goes as one simple query: what the
    transaction wrote is committed."""
    async with db.pool.acquire() as connection:
        await connection.execute("CREATE TABLE durable_probe (x int)")
    async with db.transaction() as transaction:
        transaction.durable = True
        await transaction.connection.execute("INSERT INTO durable_probe VALUES (1)")
        assert transaction.connection.is_in_transaction()
    async with db.pool.acquire() as connection:
        assert await connection.fetchval("SELECT count(*) FROM durable_probe") == 1


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
async def test_a_message_stored_without_a_transaction_is_on_disk_when_it_returns(
    db: Engine,
) -> None:
    """With nothing else to commit (`alone`), a known contact's message is one statement
    outside any transaction: its own commit must still wait for the WAL fsync. Checked by
    the server's WAL positions: everything written before the statement started is flushed
    when it returns (an asynchronous commit leaves it to the WAL writer, ≤ 200 ms later)."""
    ws, session = await _session()
    assert await persist_inbound(ws, session, _msg("first", PHONE), NOW) is not None
    for n in range(10):
        async with db.pool.acquire() as probe:
            before = await probe.fetchval("SELECT pg_current_wal_insert_lsn()")
            stored = await persist_inbound(ws, session, _msg(f"m{n}", PHONE), NOW, alone=True)
            assert stored is not None and not stored.new_contact
            flushed = await probe.fetchval("SELECT pg_current_wal_flush_lsn() >= $1", before)
        assert flushed, f"message {n} was acknowledged before its commit reached the disk"
    assert await Message.count().where(Message.workspace_id == ws) == 11
