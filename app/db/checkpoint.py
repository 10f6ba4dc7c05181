"""WAL checkpoints off the event loop.

SQLite's automatic checkpoint runs inside the COMMIT that crosses 1000 WAL pages — on our
shared connection, i.e. on the event loop — and a checkpoint fsyncs the database file: on a
loaded machine that is 10–20 ms during which nothing else runs (it was the pipeline's p99,
issue 3). So the shared connection turns autocheckpoint off (`wal_autocheckpoint = 0`) and
this task checkpoints from a worker thread with its own connection every `interval_s`.
PASSIVE never blocks the writer; whatever it could not copy is copied next time, so the WAL
stays bounded. Closing the last connection checkpoints the rest (SQLite does that itself).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3

log = logging.getLogger(__name__)
AUTOCHECKPOINT_OFF = "PRAGMA wal_autocheckpoint = 0"


class Checkpointer:
    def __init__(self, path: str, interval_s: float = 1.0, timeout_s: float = 5.0) -> None:
        self.path = path
        self.interval_s = interval_s
        self.timeout_s = timeout_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="wal-checkpoint")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            try:
                await asyncio.to_thread(self.checkpoint)
            except Exception as exc:  # next round tries again; the WAL just grows meanwhile
                log.warning("WAL checkpoint failed: %s", exc)

    def checkpoint(self) -> tuple[int, int, int]:
        """(busy, WAL pages, pages copied) — runs in a worker thread."""
        connection = sqlite3.connect(self.path, timeout=self.timeout_s)
        try:
            busy, pages, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            return int(busy), int(pages), int(copied)
        finally:
            connection.close()
