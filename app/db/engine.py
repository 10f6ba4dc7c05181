"""Engine choice from a database URL, and binding every table to it.

SQLite (desktop/default): `app/db/sqlite_engine.py` — one shared connection with our pragmas
(WAL, synchronous=NORMAL, busy_timeout, foreign keys), statements run inline on the loop.

Postgres (server mode): piccolo's PostgresEngine over asyncpg, an optional dependency.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction

from app.db.durability import Durability
from app.db.sqlite_engine import BUSY_TIMEOUT_MS, SQLITE_PRAGMAS, SQLite
from app.db.tables import ALL_TABLES

__all__ = ["BUSY_TIMEOUT_MS", "SQLITE_PRAGMAS", "Engine", "MissingExtra", "create_engine"]


class MissingExtra(ImportError):
    """An optional dependency is not installed; says which pip extra brings it."""

    def __init__(self, extra: str, what: str = "This feature") -> None:
        super().__init__(f"{what} needs the '{extra}' extra: pip install 'aimywhatsapp[{extra}]'")
        self.extra = extra


class _PgTransaction(PostgresTransaction):
    """piccolo's Postgres transaction with plain `BEGIN`/`COMMIT`/`ROLLBACK` statements
    instead of asyncpg's transaction object, so a durable commit (`durable_commit`) travels
    with the COMMIT as one simple query (`SET LOCAL …; COMMIT`) — one round trip less for
    every inbound message. asyncpg still rolls back a connection released mid-transaction
    (it asks the server whether one is open, not its own bookkeeping)."""

    durable = False  # set on the outermost transaction by `durable_commit`

    async def begin(self) -> None:
        await self.connection.execute("BEGIN")

    async def commit(self) -> None:
        sql = "SET LOCAL synchronous_commit TO on; COMMIT" if self.durable else "COMMIT"
        await self.connection.execute(sql)
        self._committed = True

    async def rollback(self) -> None:
        await self.connection.execute("ROLLBACK")
        self._rolled_back = True


class _Postgres(PostgresEngine):
    """PostgresEngine that does not connect while being constructed, with SQLite's durability
    modes (app/db/durability.py).

    piccolo checks the server version in `__init__` (a blocking round trip, in a thread when a
    loop is running); we construct engines inside the app's lifespan, so skip it.

    Durability: every COMMIT with `synchronous_commit = on` waits for the WAL fsync — about
    2-3 ms on this machine's disk, and the pipeline commits several times per message
    (claim, sent, receipts). Like SQLite's "inbound" mode, "inbound" and "normal" run with
    `synchronous_commit = off` (a Postgres crash or power loss can lose the last few hundred
    ms of commits, never corrupts — the same promise as SQLite's NORMAL); in "inbound" the
    transaction that stores an inbound message turns it back on (`durable_commit`), so a 202
    still means the message survives a power loss, and that fsync covers every commit made
    before it. "full" keeps Postgres's default for every commit.
    """

    def __init__(self, config: dict[str, Any], durability: Durability = "inbound") -> None:
        if durability != "full":
            settings = dict(config.get("server_settings") or {})
            settings.setdefault("synchronous_commit", "off")
            config = {**config, "server_settings": settings}
        super().__init__(config=config)
        self.durability = durability

    def transaction(self, allow_nested: bool = True) -> PostgresTransaction:
        return _PgTransaction(engine=self, allow_nested=allow_nested)

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


def create_engine(database_url: str, *, sqlite_durability: Durability = "inbound") -> Engine:
    """Build the engine for `sqlite:///abs/path.db` or `postgresql://user:pass@host:port/db`."""
    if database_url.startswith("sqlite:"):
        path = _sqlite_path(database_url)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        timeout = BUSY_TIMEOUT_MS / 1000
        return SQLite(path=path, durability=sqlite_durability, timeout=timeout)
    scheme, sep, rest = database_url.partition("://")
    if sep and scheme in {"postgres", "postgresql", "postgresql+asyncpg"}:
        try:
            import asyncpg  # noqa: F401
        except ImportError as e:
            raise MissingExtra("server", "Postgres") from e
        return _Postgres({"dsn": f"postgresql://{rest}"}, sqlite_durability)
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
    if isinstance(engine, SQLite):
        await engine.open()
    elif isinstance(engine, PostgresEngine) and engine.pool is None:
        await engine.start_connection_pool(
            min_size=1, max_size=max_connections, reset=_keep_session
        )


async def _keep_session(connection: object) -> None:
    """Pool release without asyncpg's reset query (`pg_advisory_unlock_all(); CLOSE ALL;
    UNLISTEN *; RESET ALL`): piccolo takes a pooled connection for every statement outside a
    transaction, so that query was a second round trip per statement — 12 per pipeline
    message, the largest single cost on Postgres. asyncpg still rolls back an open
    transaction and drops Python-side listeners before calling this. Nothing of ours leaves
    session state on a pooled connection (no session `SET`, advisory locks are
    transaction-scoped, cursors live in transactions); a LISTEN belongs on a dedicated
    connection, not a pooled one."""


async def make_durable(engine: Engine) -> None:
    """What was just stored survives a power loss before the caller acknowledges it (SQLite
    in "inbound" durability; Postgres commits are durable already)."""
    if isinstance(engine, SQLite):
        await engine.make_durable()


async def durable_commit(engine: Engine) -> None:
    """Inside the transaction that stores an inbound message: its COMMIT waits until it is
    on disk (Postgres in "inbound" durability; see `_Postgres`). SQLite does the same with
    `make_durable` after the commit."""
    if isinstance(engine, _Postgres) and engine.durability == "inbound":
        transaction = engine.current_transaction.get()
        if not isinstance(transaction, _PgTransaction):
            raise RuntimeError("durable_commit() belongs inside the storing transaction")
        transaction.durable = True  # said with its COMMIT: `_PgTransaction.commit`


DURABLE_COLUMN = "aimy_durable_commit"


def durable_select(engine: Engine) -> str:
    """For a statement that commits on its own (no transaction) yet must be as durable as
    `durable_commit` makes a transaction: a column for its final SELECT that turns
    `synchronous_commit` on for the statement's own implicit transaction — `set_config(…,
    true)` lasts until that commits, so the COMMIT waits for the WAL fsync. "" when the
    engine needs nothing (SQLite: `make_durable`; Postgres in "full": on already)."""
    if isinstance(engine, _Postgres) and engine.durability == "inbound":
        return f", set_config('synchronous_commit', 'on', true) AS {DURABLE_COLUMN}"
    return ""


async def close_engine(engine: Engine) -> None:
    """Close what `open_engine` opened; safe to call twice. The engine stays usable after it
    (queries then open their own connections), so late shutdown hooks don't crash."""
    if _open and _open[0] is engine:
        _open.clear()
    if isinstance(engine, SQLite):
        await engine.close()
    elif isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()
