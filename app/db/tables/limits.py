"""Rate-limit counters shared by every node (m0028): one row per limited key."""

from __future__ import annotations

from piccolo.columns import BigInt, Integer
from piccolo.table import Table

from app.db.tables._columns import primary_key


class RateLimitCounter(Table, tablename="rate_limits"):
    """Requests counted for one key (a hash of what is limited: an IP, a workspace) in the
    fixed window that started at `window_start` (epoch seconds)."""

    id = primary_key()
    window_start = BigInt(default=0)
    hits = Integer(default=0)
