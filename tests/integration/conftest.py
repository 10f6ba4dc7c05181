"""Real-database fixtures, parametrized over SQLite (a temp file) and Postgres.

Postgres runs when AIMY_TEST_POSTGRES_URL is set, e.g.
`export AIMY_TEST_POSTGRES_URL=$(bash .ci/postgres.sh | tail -1)`; each test gets a fresh
schema (selected through the URL's `search_path`) that is dropped afterwards, so runs never
collide and leave nothing behind.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from piccolo.engine.base import Engine

from app.db import bind_tables, close_engine, create_engine, migrate, open_engine

POSTGRES_ENV = "AIMY_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


async def _pg_admin(url: str, sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(params=BACKENDS)
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A URL to an empty database of each backend."""
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path}/aimy.db"  # tmp_path is absolute: sqlite:///abs/path
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} not set (export it from: bash .ci/postgres.sh | tail -1)")
    schema = f"t_{secrets.token_hex(6)}"
    await _pg_admin(base, f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}search_path={schema}"
    finally:
        await _pg_admin(base, f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[Engine]:
    """An engine on the empty database, with every table bound to it."""
    engine = create_engine(db_url)
    bind_tables(engine)
    await open_engine(engine)
    try:
        yield engine
    finally:
        await close_engine(engine)


@pytest.fixture
async def db(engine: Engine) -> Engine:
    """The engine after all migrations ran."""
    await migrate(engine)
    return engine


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Any]:
    """An echo bot (simulator session, echo responder) on SQLite; see tests/integration/bots.py."""
    from tests.integration.api.conftest import _api
    from tests.integration.bots import _bot

    async for api in _api(tmp_path / "data", None, auto_reply="echo"):
        yield await _bot(api)


@pytest.fixture
async def bot_any_db(tmp_path: Path, db_url: str) -> AsyncIterator[Any]:
    """An echo bot on each backend."""
    from tests.integration.api.conftest import _api
    from tests.integration.bots import _bot

    url = None if db_url.startswith("sqlite") else db_url
    async for api in _api(tmp_path / "data", url, auto_reply="echo"):
        yield await _bot(api)
