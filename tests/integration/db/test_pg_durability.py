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
