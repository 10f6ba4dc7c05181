"""A small sliding-window limiter for sign-in attempts made through the dashboard.

The API's credential endpoints use Litestar's RateLimitMiddleware; the dashboard calls services
in-process, so it applies the same seed limit (5/min per IP) with this. On Postgres (several
nodes) `check` counts in the database, in fixed windows like the API's, so the limit holds
whichever node a sign-in reaches.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Protocol

from app.domain import RateLimited


class Counts(Protocol):
    """Counts shared by every node (app/services/rate_limits.py, on Postgres)."""

    async def hit(self, key: str, window_s: int, now_s: float) -> tuple[int, int]: ...


class Throttle:
    def __init__(self, limit: int, window_s: float = 60.0, counts: Counts | None = None) -> None:
        self.limit = limit
        self.window_s = window_s
        self._counts = counts
        self._hits: dict[str, deque[float]] = {}

    async def check(self, key: str) -> None:
        """Count one attempt for `key` where the limit lives — the database when several nodes
        may share it, else this process — and raise RateLimited when over the limit."""
        if self._counts is None:
            self.hit(key)
            return
        now = time.time()
        hits, reset = await self._counts.hit(f"sign-in:{key}", int(self.window_s), now)
        if hits > self.limit:
            retry = max(1, int(reset - now) + 1)
            raise RateLimited(f"too many attempts; try again in {retry} s", retry_after=retry)

    def hit(self, key: str) -> None:
        """Count one attempt for `key`; raise RateLimited when over the limit."""
        now = time.monotonic()
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        if len(hits) >= self.limit:
            retry = int(hits[0] + self.window_s - now) + 1
            raise RateLimited(f"too many attempts; try again in {retry} s", retry_after=retry)
        hits.append(now)
        if len(self._hits) > 10_000:  # forget idle keys so memory stays bounded
            self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now - self.window_s}
