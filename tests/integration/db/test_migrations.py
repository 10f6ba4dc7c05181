"""Migrations apply from empty, are idempotent, are recorded, and survive a race."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from piccolo.engine.base import Engine
from piccolo.querystring import QueryString

from app.db import close_engine, create_engine, current_version, latest_version, migrate
from app.db.migrations import Migration, discover
from app.db.migrations._sql import ddl, render


async def test_migrate_from_empty_then_idempotent(engine: Engine) -> None:
    assert await current_version(engine) == 0
    names = [m.name for m in discover()]
    assert await migrate(engine) == names
    assert await current_version(engine) == latest_version() == discover()[-1].version
    assert await migrate(engine) == []
    rows = await engine.run_querystring(
        QueryString("SELECT version, name, applied_at FROM schema_migrations ORDER BY version")
    )
    assert [r["name"] for r in rows] == names
    assert rows[0]["applied_at"].tzinfo is not None


async def test_two_processes_migrating_at_once_apply_each_migration_once(db_url: str) -> None:
    first, second = create_engine(db_url), create_engine(db_url)
    try:
        results = await asyncio.gather(migrate(first), migrate(second))
    finally:
        await close_engine(first)
        await close_engine(second)
    applied = results[0] + results[1]
    assert sorted(applied) == [m.name for m in discover()]


async def test_a_failing_migration_leaves_nothing_behind(engine: Engine) -> None:
    broken = Migration(
        9999,
        "m9999_broken",
        lambda dialect: ["CREATE TABLE half_done (id INTEGER)", "CREATE TABLE oops ("],
    )
    with pytest.raises(Exception):  # noqa: B017 - the driver's syntax error type differs
        await migrate(engine, [*discover(), broken])
    assert await current_version(engine) == latest_version()
    tables = await engine.run_querystring(
        QueryString(
            "SELECT 1 FROM sqlite_master WHERE name = 'half_done'"
            if engine.engine_type == "sqlite"
            else "SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done' "
            "AND table_schema = current_schema()"
        )
    )
    assert tables == []


def test_migration_modules_are_numbered_in_order() -> None:
    versions = [m.version for m in discover()]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)
    assert versions[0] == 1


def test_ddl_placeholders_render_per_dialect() -> None:
    assert render("sqlite", "x {true} {false}") == "x 1 0"
    assert render("postgres", "x {true} {cascade:users}") == (
        "x TRUE REFERENCES users (id) ON DELETE CASCADE"
    )
    assert ddl("sqlite", "t (\n  id {pk})", "t (a, b)") == [
        "CREATE TABLE t (\n  id VARCHAR(36) NOT NULL PRIMARY KEY)",
        "CREATE INDEX ix_t_a_b ON t (a, b)",
    ]
    with pytest.raises(ValueError, match="dialect"):
        render("mysql", "x")


async def test_refuses_a_schema_migrated_by_a_newer_build(db: Engine) -> None:
    from app.db import SchemaTooNew

    await db.run_querystring(
        QueryString(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ({}, {}, {})",
            9999,
            "m9999_future",
            datetime.now(UTC),
        )
    )
    with pytest.raises(SchemaTooNew, match="9999"):
        await migrate(db)
