"""A node in its own process for the work-done-once tests: opens the database by URL and
races the others over the same queue. Module-level so `spawn` can import it."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from typing import Any


def claim_kb_documents(url: str, owner: str, ids: list[str], seed: int, start: Any) -> list[str]:
    """Claim every document it can, in its own order, once every node is ready (`start`: a
    barrier); the ids it got."""
    return asyncio.run(_claim_kb_documents(url, owner, ids, seed, start))


async def _claim_kb_documents(
    url: str, owner: str, ids: list[str], seed: int, start: Any
) -> list[str]:
    from app.db import bind_tables, close_engine, create_engine, open_engine
    from app.db.repos import kb_claims

    engine = create_engine(url)
    bind_tables(engine)
    await open_engine(engine)
    try:
        order = list(ids)
        random.Random(seed).shuffle(order)
        await asyncio.to_thread(start.wait)  # connected and ready: race from here
        got = []
        for doc_id in order:
            now = datetime.now(UTC)
            if await kb_claims.claim(doc_id, owner, now, now + timedelta(seconds=60)):
                got.append(doc_id)
        return got
    finally:
        await close_engine(engine)


def count_hits(url: str, key: str, calls: int, now_s: float, start: Any) -> list[int]:
    """`calls` concurrent requests of `key` (the pool's connections at once), after `start`;
    the count each one got."""
    return asyncio.run(_count_hits(url, key, calls, now_s, start))


async def _count_hits(url: str, key: str, calls: int, now_s: float, start: Any) -> list[int]:
    from app.db import bind_tables, close_engine, create_engine, open_engine
    from app.db.repos import rate_limits

    engine = create_engine(url)
    bind_tables(engine)
    await open_engine(engine)
    try:
        await asyncio.to_thread(start.wait)
        counts = await asyncio.gather(*(rate_limits.hit(key, 3600, now_s) for _ in range(calls)))
        return [c.hits for c in counts]
    finally:
        await close_engine(engine)
