"""Rate-limit counts shared by every node (issue 18): what the API's limiters and the
dashboard's sign-in throttle count with when the database is Postgres (several nodes may
serve one install). SQLite is one process by design; its limiters count in memory."""

from __future__ import annotations

from app.db.repos import rate_limits


class SharedCounts:
    async def hit(self, key: str, window_s: int, now_s: float) -> tuple[int, int]:
        """Count one request of `key`: (requests in this window with this one, window end)."""
        count = await rate_limits.hit(key, window_s, now_s)
        return count.hits, count.reset
