"""The SQLite engine (desktop/default): one shared connection, used on the event loop's thread.

piccolo opens a fresh aiosqlite connection per query (and one per transaction); `SQLite`
instead shares one connection once `open()`ed, and applies our pragmas to every connection:
WAL (readers never block the writer), synchronous=NORMAL (safe with WAL, much faster; see
app/db/durability.py for power losses and what a 202 means),
busy_timeout (writers queue instead of failing with "database is locked"), foreign_keys=ON.
Transactions default to BEGIN IMMEDIATE: a DEFERRED transaction that reads then writes can
fail at once with SQLITE_BUSY when another writer got in between; IMMEDIATE waits its turn.

Why statements run inline (on the loop's thread, no worker thread): a statement on this
database takes microseconds, while each hop to aiosqlite's thread and back costs a thread
switch — with the GIL and a loaded 2-core machine, up to milliseconds. The pipeline benchmark
spent most of its time in those hops (issue 3). The price: a statement blocks the loop while
it runs, so keep queries indexed and small (they are); the only writer is this process
(one shared connection, serialised by `_lock`), so busy_timeout waits only on another
process (e.g. a migration of a second instance at start-up).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from typing import Any

import aiosqlite
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType
from piccolo.engine.sqlite import dict_factory as _dict_factory

from app.db.checkpoint import AUTOCHECKPOINT_OFF, Checkpointer
from app.db.durability import DURABILITY, Durability, WalSync

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
SLOW_STATEMENT_S = 0.1  # a statement that holds the event loop this long gets a log line
LOCKED_RETRIES = 100  # × 50 ms: as long as busy_timeout
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA foreign_keys = ON",
)


def _apply(connection: sqlite3.Connection, pragmas: tuple[str, ...]) -> None:
    """Run the pragmas. Switching a new database to WAL needs the file to itself for a moment,
    and SQLite answers "database is locked" at once (not after busy_timeout) when another
    process opens it at the same time (two starts, or `migrate` beside the app): retry briefly."""
    for pragma in pragmas:
        for attempt in range(LOCKED_RETRIES):
            try:
                connection.execute(pragma).close()
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == LOCKED_RETRIES - 1:
                    raise
                time.sleep(0.05)


class SQLite(SQLiteEngine):
    """SQLiteEngine whose every connection gets our pragmas, plus one long-lived shared one."""

    __slots__ = ("_checkpointer", "_lock", "_shared", "_wal_ready", "_wal_sync", "durability")

    def __init__(
        self, path: str, *, durability: Durability = "inbound", **connection_kwargs: Any
    ) -> None:
        super().__init__(path=path, **connection_kwargs)
        if durability not in DURABILITY:
            raise ValueError(f"durability must be one of {DURABILITY}")
        self.durability = durability
        self._wal_sync = WalSync(path)
        self._shared: Inline | None = None
        self._lock = asyncio.Lock()
        self._wal_ready = False
        self._checkpointer: Checkpointer | None = None

    def _pragmas(self) -> tuple[str, ...]:
        # journal_mode is stored in the database file: set once per engine, not per query
        # (it costs a couple of ms); the other pragmas are per connection.
        pragmas: tuple[str, ...] = SQLITE_PRAGMAS if not self._wal_ready else SQLITE_PRAGMAS[1:]
        self._wal_ready = True
        if self.durability == "full":
            pragmas = tuple(p.replace("NORMAL", "FULL") for p in pragmas)
        return pragmas

    async def make_durable(self) -> None:
        """After storing what was just acknowledged (an inbound message): in "inbound" mode,
        wait until the commits so far survive a power loss (app/db/durability.py). With
        FULL every commit already did; with NORMAL this is a no-op by choice."""
        if self.durability == "inbound" and self._shared is not None:
            await self._wal_sync.sync()

    async def _connect(self) -> Any:
        """A throw-away aiosqlite connection (before `open()`: scripts, some tests)."""
        connection = await aiosqlite.connect(**self.connection_kwargs)
        # aiosqlite types row_factory as a class; sqlite3 takes any (cursor, row) callable
        connection.row_factory = _dict_factory  # type: ignore[assignment]  # see above
        await connection._execute(_apply, connection._conn, self._pragmas())
        return connection

    async def open(self) -> None:
        """Open the one shared connection every query and transaction of this process uses.
        SQLite has one writer anyway, so serialising on a lock costs nothing we had. A
        transaction holds the connection (and the lock) until it ends — keep them short."""
        if self._shared is None:
            raw = sqlite3.connect(**self.connection_kwargs, check_same_thread=False)
            raw.row_factory = _dict_factory
            _apply(raw, self._pragmas())
            raw.execute(AUTOCHECKPOINT_OFF).close()  # see app/db/checkpoint.py
            self._shared = Inline(raw)
            self._lock = asyncio.Lock()
            self._checkpointer = Checkpointer(self.path)
            self._checkpointer.start()

    async def close(self) -> None:
        if self._checkpointer is not None:
            await self._checkpointer.stop()
            self._checkpointer = None
        if self._shared is not None:
            async with self._lock:
                shared, self._shared = self._shared, None
                await shared.close()

    async def get_connection(self) -> Any:
        """For a transaction: the shared connection, held until the transaction closes it."""
        if self._shared is None:
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
                return await connection._execute(_run, connection._conn, query, args or [], True)
            finally:
                await connection.close()
        async with self._lock:
            return _run(self._shared._conn, query, args or [], True)

    async def _run_in_existing_connection(
        self,
        connection: Any,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        """Inside a transaction. (piccolo's version re-sends `PRAGMA foreign_keys` before
        every statement; ours is set once per connection.)"""
        return await connection._execute(_run, connection._conn, query, args or [], False)

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.immediate,
        allow_nested: bool = True,
    ) -> SQLiteTransaction:
        return _Transaction(self, transaction_type=transaction_type, allow_nested=allow_nested)


class _Transaction(SQLiteTransaction):
    """piccolo's SQLite transaction, which gives its connection back however it ends. Ours
    is the one shared connection, lent with the engine's lock: piccolo's own leaves it
    borrowed when BEGIN, COMMIT or ROLLBACK raises (a busy database, a dangling transaction)
    — and every later query of the process waits for the lock for ever."""

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        self.connection = await self.get_connection()
        try:
            await self.begin()
        except BaseException:
            await _give_back(self.connection)
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        except BaseException:
            await _give_back(self.connection)  # a failed COMMIT leaves its transaction open
            self.engine.current_transaction.reset(self.context)
            raise
        await self.connection.close()
        self.engine.current_transaction.reset(self.context)
        return exception is None


async def _give_back(connection: Any) -> None:
    """End whatever transaction the connection is still in (none: SQLite says so, ignored),
    then give it back."""
    try:
        with contextlib.suppress(sqlite3.Error, ValueError):
            await connection.execute("ROLLBACK")
    finally:
        await connection.close()


def _run(raw: sqlite3.Connection, query: str, args: list[Any], commit: bool) -> list[Any]:
    """Execute, fetch, close (and commit outside a transaction). RETURNING exists since
    SQLite 3.35; piccolo's pre-3.35 path is not needed here. A statement that holds the loop
    for `SLOW_STATEMENT_S` or more is logged with its text: statements run inline on the loop's
    thread because they are meant to be tiny, and this says which one is not."""
    started = time.perf_counter()
    cursor = raw.execute(query, args)
    try:
        rows = cursor.fetchall()
    finally:
        cursor.close()
    if commit and raw.in_transaction:
        raw.commit()
    took = time.perf_counter() - started
    if took >= SLOW_STATEMENT_S:
        text = " ".join(query.split())[:300]
        log.warning("slow SQLite statement on the loop (%.0f ms): %s", took * 1000, text)
    return rows


class Inline:
    """The subset of aiosqlite's connection piccolo's transactions use, run in place."""

    def __init__(self, raw: sqlite3.Connection) -> None:
        self._conn = raw

    async def _execute(self, fn: Any, *args: Any) -> Any:
        return fn(*args)

    async def execute(self, sql: str, args: Any = ()) -> None:  # BEGIN, COMMIT, SAVEPOINT…
        self._conn.execute(sql, args).close()

    async def commit(self) -> None:
        self._conn.commit()

    async def close(self) -> None:
        self._conn.close()


class _Borrowed:
    """The shared connection lent to one transaction; `close()` gives it back (piccolo's
    SQLiteTransaction closes its connection when it ends)."""

    def __init__(self, connection: Inline, lock: asyncio.Lock) -> None:
        self._connection = connection
        self._lock = lock

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    async def close(self) -> None:
        self._lock.release()
