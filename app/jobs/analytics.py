"""The analytics-aggregate job (seed §13, hourly): store the closed UTC hours since the watermark.

Idempotent by construction: each chunk of hours is recomputed from the raw rows and replaces
what is stored for those hours, together with the watermark, in one transaction
(`repos.analytics.replace_hours`). Killed mid-run, the next run starts at the old watermark
and writes the same numbers again — nothing is counted twice. An hour is closed `SETTLE`
after it ended, so a reply's sentiment and confidence written a moment later are in it.

Later changes to a stored hour — a human writing into a conversation the bot had resolved, a
resolved conversation reopened, sentiment written late, messages erased — are picked up by
recomputing the last `RECHECK` of stored hours on every run and the last `DAILY_RECHECK` once
a day. Older hours stay as stored: that window is shorter than the shortest message retention
a workspace may set, so recomputing never forgets what retention deleted on purpose.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from app.db.repos import analytics
from app.domain import Clock
from app.domain.analytics import floor_hour

log = logging.getLogger(__name__)
SETTLE = timedelta(minutes=5)
# hours per transaction: bounded work, a crash loses one chunk, and (SQLite statements run
# inline on the loop's thread) the loop is held for one chunk's queries at most — a first run
# over months of history lets replies and pages through between chunks
CHUNK = timedelta(hours=6)
RECHECK = timedelta(hours=24)
DAILY_RECHECK = timedelta(days=6)  # < RETENTION_DAYS' minimum (7): see the module docstring
DAILY_HOUR = 3  # UTC: the run that closes 03:00 rechecks the week, after the 02:00 cleanup


async def aggregate_hours(
    clock: Clock, chunk: timedelta = CHUNK, recheck: timedelta | None = None
) -> int:
    """Store every closed hour after the watermark and recompute the last stored ones
    (`recheck`; by default `RECHECK`, or `DAILY_RECHECK` on the day's run); returns how many
    new hours were stored."""
    until = floor_hour(clock.now() - SETTLE)
    stored_until = await analytics.watermark()
    first = await analytics.earliest()
    if stored_until is None:
        mark = stored_until = first or until
    else:
        if recheck is None:
            recheck = DAILY_RECHECK if until.hour == DAILY_HOUR else RECHECK
        mark = max(stored_until - recheck, first or stored_until)
    new = max(0, int((until - stored_until) / timedelta(hours=1)))
    while mark < until:
        end = min(mark + chunk, until)
        await analytics.replace_hours(mark, end, await analytics.raw_counts(mark, end))
        mark = end
        await asyncio.sleep(0)
    if new:
        log.info("analytics: stored %d hours up to %s", new, until.isoformat())
    return new
