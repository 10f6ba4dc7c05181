"""Engine construction from URLs, and SQLite pragmas that really hold on every connection."""

from __future__ import annotations

import sys

import pytest
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.querystring import QueryString

from app.db import MissingExtra, close_engine, create_engine, dialect, open_engine
from app.db.tables import Workspace


async def _pragma(engine: Engine, name: str) -> object:
    rows = await engine.run_querystring(QueryString(f"PRAGMA {name}"))
    return next(iter(rows[0].values()))


@pytest.fixture
def sqlite_engine(tmp_path) -> Engine:
    return create_engine(f"sqlite://{tmp_path}/data/aimy.db")


async def test_sqlite_pragmas_apply_outside_and_inside_transactions(sqlite_engine) -> None:
    expected = {"journal_mode": "wal", "foreign_keys": 1, "synchronous": 1, "busy_timeout": 5000}
    assert {name: await _pragma(sqlite_engine, name) for name in expected} == expected
    async with sqlite_engine.transaction():
        assert {name: await _pragma(sqlite_engine, name) for name in expected} == expected


async def test_foreign_keys_are_enforced(db) -> None:
    from app.db import is_foreign_key_violation
    from app.db.tables import Label

    with pytest.raises(Exception) as caught:
        await Label(workspace_id="nope", name="x", color="#fff").save()
    assert is_foreign_key_violation(caught.value)


def test_sqlite_url_forms(tmp_path) -> None:
    # tmp_path is absolute, so "sqlite://" + it is the sqlite:///abs/path form.
    engine = create_engine(f"sqlite://{tmp_path}/a/b.db")
    assert isinstance(engine, SQLiteEngine) and engine.path == f"{tmp_path}/a/b.db"
    assert (tmp_path / "a").is_dir()
    # SQLAlchemy's four-slash spelling of an absolute path works too.
    assert create_engine(f"sqlite:///{tmp_path}/c.db").path == f"{tmp_path}/c.db"
    from app.db.engine import _sqlite_path

    assert _sqlite_path("sqlite:///C:/Users/me/aimy.db") == "C:/Users/me/aimy.db"
    for bad in ("sqlite://relative.db", "sqlite:///:memory:", "mysql://x/y"):
        with pytest.raises(ValueError):
            create_engine(bad)


async def test_postgres_url_builds_an_engine_without_connecting() -> None:
    engine = create_engine("postgresql://u:p@127.0.0.1:1/nothing")
    assert isinstance(engine, PostgresEngine) and dialect(engine) == "postgres"
    assert engine.config["dsn"] == "postgresql://u:p@127.0.0.1:1/nothing"
    assert create_engine("postgres://u:p@h/d").config["dsn"] == "postgresql://u:p@h/d"
    # SQLite's durability modes: only "full" waits for the WAL fsync on every commit
    assert engine.config["server_settings"] == {"synchronous_commit": "off"}
    full = create_engine("postgresql://u:p@h/d", sqlite_durability="full")
    assert "server_settings" not in full.config
    await close_engine(engine)  # no pool yet: a no-op


def test_missing_asyncpg_names_the_server_extra(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "asyncpg", None)  # what an uninstalled package looks like
    with pytest.raises(MissingExtra, match=r"aimywhatsapp\[server\]"):
        create_engine("postgresql://u:p@h/d")


async def test_open_and_close_are_idempotent(db) -> None:
    await open_engine(db)
    await open_engine(db)
    assert await Workspace.count() == 0
    await close_engine(db)
    await close_engine(db)
    assert await Workspace.count() == 0  # still usable without a pool (new connections)
    await open_engine(db)


async def test_transactions_commit_and_roll_back(db) -> None:
    async with db.transaction():
        await Workspace(name="kept", slug="kept").save()
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await Workspace(name="gone", slug="gone").save()
            raise RuntimeError("abort")
    assert await Workspace.select(Workspace.slug).output(as_list=True) == ["kept"]


async def test_concurrent_writers_queue_instead_of_failing(db) -> None:
    """busy_timeout + BEGIN IMMEDIATE: read-then-write transactions racing each other all
    commit (a DEFERRED transaction would fail at once with "database is locked")."""
    import asyncio

    async def register(i: int) -> None:
        async with db.transaction():
            taken = await Workspace.count().where(Workspace.slug == f"s{i}")
            if not taken:
                await Workspace(name="n", slug=f"s{i}").save()

    await asyncio.gather(*(register(i) for i in range(20)))
    assert await Workspace.count() == 20


async def test_shared_connection_checkpoints_off_the_loop(sqlite_engine) -> None:
    """Opened: statements run inline with synchronous=NORMAL, autocheckpoint off (a COMMIT
    never fsyncs the database on the loop), and the checkpointer keeps the WAL bounded."""
    from app.db.checkpoint import Checkpointer

    await open_engine(sqlite_engine)
    try:
        assert await _pragma(sqlite_engine, "synchronous") == 1
        assert await _pragma(sqlite_engine, "wal_autocheckpoint") == 0
        await sqlite_engine.run_ddl("CREATE TABLE t (x INTEGER)")
        async with sqlite_engine.transaction():
            for i in range(200):
                await sqlite_engine.run_querystring(QueryString("INSERT INTO t VALUES ({})", i))
        rows = await sqlite_engine.run_querystring(QueryString("SELECT count(*) AS n FROM t"))
        assert rows[0]["n"] == 200
        busy, wal_pages, copied = Checkpointer(sqlite_engine.path).checkpoint()
        assert busy == 0 and wal_pages > 0 and copied == wal_pages
    finally:
        await close_engine(sqlite_engine)


async def test_a_transaction_that_cannot_begin_gives_the_connection_back(db) -> None:
    """Whatever makes BEGIN (or COMMIT) fail, the shared connection goes back to the pool of
    one, out of any transaction: the failure is the caller's, not every later query's."""
    import asyncio
    import sqlite3

    if db.engine_type != "sqlite":
        return  # asyncpg's pool gives connections back on its own
    db._shared._conn.execute("BEGIN")  # a transaction nobody owns: BEGIN fails inside it
    with pytest.raises(sqlite3.OperationalError, match="within a transaction"):
        async with db.transaction():
            pass

    async def later() -> None:
        async with db.transaction():
            await Workspace(name="c", slug="c").save()

    await asyncio.wait_for(later(), 5)
    assert await Workspace.count() == 1
