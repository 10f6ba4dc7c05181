"""Apply pending migrations, once, even when two processes start at the same moment.

Each pending migration runs in its own transaction that first takes a database-wide lock
(Postgres: `pg_advisory_xact_lock`; SQLite: `BEGIN IMMEDIATE`, i.e. the write lock, with
busy_timeout making the other process wait) and then re-reads `schema_migrations`: whoever
comes second finds the version recorded and skips it. DDL is transactional on both engines,
so a failed migration leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Sequence

from piccolo.engine.base import BaseTransaction, Engine
from piccolo.engine.sqlite import TransactionType
from piccolo.querystring import QueryString

from app.db.engine import dialect
from app.db.migrations import Migration, discover
from app.domain.time import utcnow

# Any constant shared by every process of this app; "aimy" in ASCII.
_PG_LOCK_KEY = 0x61696D79

_CREATE_LEDGER = (
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, name VARCHAR(255) NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
)


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer version of the app than this one."""


def _transaction(engine: Engine) -> BaseTransaction:
    """A write transaction: IMMEDIATE on SQLite so it holds the write lock from the start."""
    if dialect(engine) == "sqlite":
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


async def _ledger_exists(engine: Engine) -> bool:
    if dialect(engine) == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    else:
        sql = "SELECT to_regclass('schema_migrations') IS NOT NULL AS present"
    rows = await engine.run_querystring(QueryString(sql))
    return bool(rows) and (dialect(engine) == "sqlite" or bool(rows[0]["present"]))


async def _applied(engine: Engine) -> set[int]:
    rows = await engine.run_querystring(QueryString("SELECT version FROM schema_migrations"))
    return {int(row["version"]) for row in rows}


async def _apply(engine: Engine, migration: Migration) -> bool:
    """Apply one migration under the lock; False if another process already had."""
    async with _transaction(engine):
        if dialect(engine) == "postgres":
            await engine.run_querystring(
                QueryString("SELECT pg_advisory_xact_lock({})", _PG_LOCK_KEY)
            )
        await engine.run_ddl(_CREATE_LEDGER)
        if migration.version in await _applied(engine):
            return False
        for statement in migration.statements(dialect(engine)):
            await engine.run_ddl(statement)
        await engine.run_querystring(
            QueryString(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ({}, {}, {})",
                migration.version,
                migration.name,
                utcnow(),
            )
        )
    return True


async def migrate(engine: Engine, migrations: Sequence[Migration] | None = None) -> list[str]:
    """Bring the schema up to date; returns the names of the migrations this call applied.

    `migrations` defaults to every module of `app/db/migrations/` (tests pass their own).
    """
    known = discover() if migrations is None else list(migrations)
    done = await _applied(engine) if await _ledger_exists(engine) else set()
    newest = max((m.version for m in known), default=0)
    if done and max(done) > newest:
        raise SchemaTooNew(
            f"database schema is at version {max(done)} but this build knows only up to "
            f"{newest}: it was migrated by a newer Aimywhatsapp; upgrade instead of downgrading"
        )
    applied: list[str] = []
    for migration in known:
        if migration.version not in done and await _apply(engine, migration):
            applied.append(migration.name)
    return applied


async def current_version(engine: Engine) -> int:
    """The highest applied migration number, 0 for an empty database."""
    if not await _ledger_exists(engine):
        return 0
    return max(await _applied(engine), default=0)


def latest_version() -> int:
    """The highest migration number this code knows (to tell "db is newer than code")."""
    return max((m.version for m in discover()), default=0)
