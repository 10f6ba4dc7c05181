"""How much of SQLite's work survives a power loss (`settings.sqlite_durability`).

SQLite in WAL mode with `synchronous=NORMAL` survives any crash of the *process* (SIGKILL,
an exception) with nothing lost, but a power loss or an OS crash can lose the commits made
since the WAL was last fsynced — at most about a second, since a checkpoint (app/db/
checkpoint.py) fsyncs it every second. Among them: inbound messages already acknowledged
with 202. `FULL` fsyncs the WAL inside every COMMIT — on the event loop (statements run
inline, see sqlite_engine.py) and for every write, replies and receipts included:
measured 5-7x slower under load and +20 ms per message here (tests/bench/RESULTS-hardening.md).

"inbound" (the default) keeps NORMAL and fsyncs the WAL in a worker thread after an inbound
message is stored and before it is acknowledged: a 202 means the message survives a power
loss, like FULL, but the loop never waits for the disk, and concurrent messages share one
fsync (group commit: a caller's fsync covers every commit made before it started).
"""

from __future__ import annotations

import asyncio
import os
from typing import Literal

Durability = Literal["normal", "inbound", "full"]
DURABILITY: tuple[Durability, ...] = ("normal", "inbound", "full")


class WalSync:
    """fsync of a database's WAL file, off the event loop, shared by concurrent callers."""

    def __init__(self, db_path: str) -> None:
        self.db_path = db_path
        self._requested = 0  # tickets handed out (each after its caller's commit)
        self._synced = 0  # every ticket up to this one is on disk
        self._lock = asyncio.Lock()

    async def sync(self) -> None:
        """Return once every commit made before this call is on disk."""
        self._requested += 1
        ticket = self._requested
        async with self._lock:
            if self._synced >= ticket:
                return  # a sync that started after our commit covered it
            covers = self._requested
            await asyncio.to_thread(self._fsync)
            self._synced = covers

    def _fsync(self) -> None:
        for path in (f"{self.db_path}-wal", self.db_path):
            try:
                fd = os.open(path, os.O_RDONLY)
            except FileNotFoundError:
                continue  # no WAL (checkpointed and removed): the database file holds it all
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            return
