"""Engine choice from a database URL, and binding every table to it.

SQLite (desktop/default): piccolo opens a fresh aiosqlite connection per query (and one per
transaction); `_SQLite` instead shares one connection once `open()`ed (see there), and every
connection it makes goes through one `_connect()` that applies our pragmas:
WAL (readers never block the writer), synchronous=NORMAL (safe with WAL, much faster),
busy_timeout (writers queue instead of failing with "database is locked"), foreign_keys=ON.
Transactions default to BEGIN IMMEDIATE: a DEFERRED transaction that reads then writes can
fail at once with SQLITE_BUSY when another writer got in between; IMMEDIATE waits its turn.

Postgres (server mode): piccolo's PostgresEngine over asyncpg, an optional dependency.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from pathlib import Path
from typing import Any

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType
from piccolo.engine.sqlite import dict_factory as _dict_factory

from app.db.tables import ALL_TABLES

BUSY_TIMEOUT_MS = 5000
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA foreign_keys = ON",
)


class MissingExtra(ImportError):
    """An optional dependency is not installed; says which pip extra brings it."""

    def __init__(self, extra: str, what: str = "This feature") -> None:
        super().__init__(f"{what} needs the '{extra}' extra: pip install 'aimywhatsapp[{extra}]'")
        self.extra = extra


class _SQLite(SQLiteEngine):
    """SQLiteEngine whose every connection gets our pragmas, plus a long-lived "keeper"."""

    __slots__ = ("_lock", "_shared", "_wal_ready")

    def __init__(self, path: str, **connection_kwargs: Any) -> None:
        super().__init__(path=path, **connection_kwargs)
        self._shared: Any = None
        self._lock = asyncio.Lock()
        self._wal_ready = False

    async def _connect(self) -> Any:
        connection = await aiosqlite.connect(**self.connection_kwargs)
        connection.row_factory = _dict_factory
        # journal_mode is stored in the database file: set once per engine, not per query
        # (it costs a couple of ms); the other pragmas are per connection.
        for pragma in SQLITE_PRAGMAS if not self._wal_ready else SQLITE_PRAGMAS[1:]:
            await connection.execute(pragma)
        self._wal_ready = True
        return connection

    async def open(self) -> None:
        """Open the one shared connection every query and transaction of this process uses.

        piccolo's default (a new aiosqlite connection, thread and pragmas per query) measured
        ~1.6 ms per SELECT here; one long-lived connection brings that to ~0.1 ms. SQLite has
        one writer anyway, so serialising on a lock costs nothing we had. A transaction holds
        the connection (and the lock) until it ends — keep transactions short. The connection
        also keeps the WAL alive (no checkpoint-and-delete after every write).
        """
        if self._shared is None:
            self._shared = await self._connect()
            self._lock = asyncio.Lock()

    async def close(self) -> None:
        if self._shared is not None:
            async with self._lock:
                shared, self._shared = self._shared, None
                await shared.close()

    async def get_connection(self) -> Any:
        """For a transaction: the shared connection, held until the transaction closes it."""
        if self._shared is None:  # not opened (scripts, some tests): one per transaction
            return await self._connect()
        await self._lock.acquire()
        return _Borrowed(self._shared, self._lock)

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        if self._shared is None:
            connection = await self._connect()
            try:
                return await _execute(connection, query, args)
            finally:
                await connection.close()
        async with self._lock:
            return await _execute(self._shared, query, args)

    async def _run_in_existing_connection(
        self,
        connection: Any,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        """Inside a transaction: one trip to the connection's thread per statement.

        piccolo's version makes four (`PRAGMA foreign_keys` again — ours is set once per
        connection —, execute, fetchall, close the cursor); on a loaded 2-core machine each
        trip is a thread switch, and they were most of the pipeline's cost.
        """
        return await connection._execute(_run, connection._conn, query, args or [], False)

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.immediate,
        allow_nested: bool = True,
    ) -> SQLiteTransaction:
        return super().transaction(transaction_type=transaction_type, allow_nested=allow_nested)


async def _execute(connection: Any, query: str, args: list[Any] | None) -> Any:
    """One statement in autocommit style, in a single trip to the connection's thread."""
    return await connection._execute(_run, connection._conn, query, args or [], True)


def _run(raw: sqlite3.Connection, query: str, args: list[Any], commit: bool) -> list[Any]:
    """Runs in aiosqlite's thread: execute, fetch, close (and commit outside a transaction).
    RETURNING exists since SQLite 3.35; piccolo's pre-3.35 path is not needed here."""
    cursor = raw.execute(query, args)
    try:
        rows = cursor.fetchall()
    finally:
        cursor.close()
    if commit:
        raw.commit()
    return rows


class _Borrowed:
    """The shared connection lent to one transaction; `close()` gives it back (piccolo's
    SQLiteTransaction closes its connection when it ends)."""

    def __init__(self, connection: Any, lock: asyncio.Lock) -> None:
        self._connection = connection
        self._lock = lock

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    async def close(self) -> None:
        self._lock.release()


class _Postgres(PostgresEngine):
    """PostgresEngine that does not connect while being constructed.

    piccolo checks the server version in `__init__` (a blocking round trip, in a thread when a
    loop is running); we construct engines inside the app's lifespan, so skip it.
    """

    async def check_version(self) -> None:
        return None

    async def prep_database(self) -> None:
        return None


_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[/\\]")


def _sqlite_path(database_url: str) -> str:
    path = database_url.removeprefix("sqlite://")
    if path.startswith("//"):  # SQLAlchemy style sqlite:////abs/path
        path = path[1:]
    if _WINDOWS_DRIVE.match(path[1:]):  # sqlite:///C:/Users/.../aimy.db on the desktop build
        path = path[1:]
    if not (path.startswith("/") or _WINDOWS_DRIVE.match(path)) or ":memory:" in path:
        raise ValueError(
            f"SQLite URL must be sqlite:///absolute/path.db (got {database_url!r}); "
            "in-memory databases don't work with one connection per query"
        )
    return path


def create_engine(database_url: str) -> Engine:
    """Build the engine for `sqlite:///abs/path.db` or `postgresql://user:pass@host:port/db`."""
    if database_url.startswith("sqlite:"):
        path = _sqlite_path(database_url)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return _SQLite(path=path, timeout=BUSY_TIMEOUT_MS / 1000)
    scheme, sep, rest = database_url.partition("://")
    if sep and scheme in {"postgres", "postgresql", "postgresql+asyncpg"}:
        try:
            import asyncpg  # noqa: F401
        except ImportError as e:
            raise MissingExtra("server", "Postgres") from e
        return _Postgres(config={"dsn": f"postgresql://{rest}"})
    raise ValueError(f"unsupported database URL scheme: {database_url.split(':', 1)[0]!r}")


def dialect(engine: Engine) -> str:
    """The dialect name migrations are written for: "sqlite" or "postgres"."""
    return "sqlite" if engine.engine_type == "sqlite" else "postgres"


_open: list[Engine] = []  # the engine the process-global tables serve, while it is open


class EngineInUse(RuntimeError):
    """A second engine was opened while another is live: piccolo binds tables process-wide,
    so both would share one table registry and deadlock across event loops."""


def bind_tables(engine: Engine) -> None:
    """Point every table at `engine`, so nothing depends on a piccolo_conf.py."""
    _refuse_second(engine)
    for table in ALL_TABLES:
        table._meta.db = engine


def _refuse_second(engine: Engine) -> None:
    if _open and _open[0] is not engine:
        raise EngineInUse("another database engine is open in this process; close it first")


async def open_engine(engine: Engine, *, max_connections: int = 10) -> None:
    """Start Postgres's connection pool, or SQLite's shared connection; idempotent."""
    _refuse_second(engine)
    _open[:] = [engine]
    if isinstance(engine, _SQLite):
        await engine.open()
    elif isinstance(engine, PostgresEngine) and engine.pool is None:
        await engine.start_connection_pool(min_size=1, max_size=max_connections)


async def close_engine(engine: Engine) -> None:
    """Close what `open_engine` opened; safe to call twice. The engine stays usable after it
    (queries then open their own connections), so late shutdown hooks don't crash."""
    if _open and _open[0] is engine:
        _open.clear()
    if isinstance(engine, _SQLite):
        await engine.close()
    elif isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()
