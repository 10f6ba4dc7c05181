"""Rate-limit counters in the database, so a limit holds across every node (issue 18).

A fixed window per key: one upsert counts a request and returns how many the key made in the
current window, so concurrent callers on any number of processes each get a distinct count —
the first `limit` are let through, exactly. Keys are hashed (an IPv6 address or a workspace
id with a prefix can be longer than the id column).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from app.db import fast
from app.db.tables import RateLimitCounter

_HIT = (
    "INSERT INTO rate_limits (id, window_start, hits) VALUES ({}, {}, 1) "
    "ON CONFLICT (id) DO UPDATE SET "
    "hits = CASE WHEN rate_limits.window_start = excluded.window_start "
    "THEN rate_limits.hits + 1 ELSE 1 END, window_start = excluded.window_start "
    "RETURNING hits"
)
_FORGET = "DELETE FROM rate_limits WHERE window_start < {} RETURNING id"


@dataclass(frozen=True, slots=True)
class Count:
    hits: int  # requests of the key in this window, this one included
    reset: int  # epoch second the window ends


async def hit(key: str, window_s: int, now_s: float) -> Count:
    """Count one request of `key` in the `window_s`-second window holding `now_s`."""
    start = int(now_s) // window_s * window_s
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    rows = await fast.execute(RateLimitCounter, _HIT, digest, start)
    return Count(int(rows[0]["hits"]), start + window_s)


async def forget(before_s: float) -> int:
    """Drop counters of windows that started before `before_s` (the cleanup job); how many."""
    return len(await fast.execute(RateLimitCounter, _FORGET, int(before_s)))
