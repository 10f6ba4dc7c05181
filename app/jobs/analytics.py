"""The analytics-aggregate job (seed §13, hourly): store the closed UTC hours since the watermark.

Idempotent by construction: each chunk of hours is recomputed from the raw rows and replaces
what is stored for those hours, together with the watermark, in one transaction
(`repos.analytics.replace_hours`). Killed mid-run, the next run starts at the old watermark
and writes the same numbers again — nothing is counted twice. An hour is closed `SETTLE`
after it ended, so a reply's sentiment and confidence written a moment later are in it.
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


async def aggregate_hours(clock: Clock, chunk: timedelta = CHUNK) -> int:
    """Store every closed hour after the watermark; returns how many hours were stored."""
    until = floor_hour(clock.now() - SETTLE)
    mark = await analytics.watermark() or await analytics.earliest() or until
    stored = 0
    while mark < until:
        end = min(mark + chunk, until)
        await analytics.replace_hours(mark, end, await analytics.raw_counts(mark, end))
        stored += int((end - mark) / timedelta(hours=1))
        mark = end
        await asyncio.sleep(0)
    if stored:
        log.info("analytics: stored %d hours up to %s", stored, until.isoformat())
    return stored
