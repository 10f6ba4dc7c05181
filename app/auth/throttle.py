"""A small sliding-window limiter for sign-in attempts made through the dashboard.

The API's credential endpoints use Litestar's RateLimitMiddleware; the dashboard calls services
in-process, so it applies the same seed limit (5/min per IP) with this.
"""

from __future__ import annotations

import time
from collections import deque

from app.domain import RateLimited


class Throttle:
    def __init__(self, limit: int, window_s: float = 60.0) -> None:
        self.limit = limit
        self.window_s = window_s
        self._hits: dict[str, deque[float]] = {}

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
