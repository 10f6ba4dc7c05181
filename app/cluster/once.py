"""Periodic jobs once per cluster (issue 18 item 4): every node runs the same APScheduler, and
a tick does the job's work only on the node that wins it.

On Postgres a tick first takes a transaction-level advisory lock named after the job
(`pg_try_advisory_xact_lock`, in a transaction held open on its own connection for the run —
it ends with that transaction however the run ends, even cancelled, where a session-level
lock could stay held on a pooled connection whose unlock never ran): a node that does not get
it skips the tick — so two nodes never run the nightly cleanup or the analytics rollup at
once. Under the lock the tick also reads `job_runs`: when another node already ran this job within
`min_gap_s`, the tick is skipped too, so a job runs once per period however the nodes' ticks
are spread. SQLite has one node: the job simply runs.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from app.db import fast
from app.db.tables import JobRun
from app.domain import Clock

log = logging.getLogger(__name__)

_RAN = "SELECT ran_at FROM job_runs WHERE id = {}"
_MARK = (
    "INSERT INTO job_runs (id, ran_at, node_id) VALUES ({}, {}, {}) "
    "ON CONFLICT (id) DO UPDATE SET ran_at = excluded.ran_at, node_id = excluded.node_id"
)


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for a job name."""
    return int.from_bytes(
        hashlib.sha256(f"aimy-job:{name}".encode()).digest()[:8], "big", signed=True
    )


def once_per_cluster(
    name: str,
    job: Callable[..., Awaitable[Any]],
    clock: Clock,
    node_id: str,
    *,
    min_gap_s: float,
) -> Callable[..., Awaitable[Any]]:
    """`job` wrapped so that one node of the cluster runs each of its periods."""

    @functools.wraps(job)  # the scheduler names the job, and tests can see which one it is
    async def run(*args: Any, **kwargs: Any) -> Any:
        engine = JobRun._meta.db
        if not isinstance(engine, PostgresEngine) or engine.pool is None:
            return await job(*args, **kwargs)
        key = lock_key(name)
        async with engine.pool.acquire() as connection, connection.transaction():
            if not await connection.fetchval("SELECT pg_try_advisory_xact_lock($1)", key):
                log.debug("job %s: another node is running it", name)
                return None
            now = clock.now()
            rows = await fast.execute(JobRun, _RAN, name)
            if rows and rows[0]["ran_at"] > now - timedelta(seconds=min_gap_s):
                log.debug("job %s: already ran this period", name)
                return None
            await fast.execute(JobRun, _MARK, name, now, node_id)
            return await job(*args, **kwargs)

    run.__name__ = getattr(job, "__name__", name)
    return run
