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
