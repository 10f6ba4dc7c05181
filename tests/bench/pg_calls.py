"""Round trips to Postgres, counted by statement: a wrapper around asyncpg's `Connection`
query methods (`fetch`, `fetchrow`, `fetchval`, `execute`, `executemany`) — every statement,
BEGIN and COMMIT is one round trip. `bench_pipeline --calls` prints the count per message.

Install before the app opens its pool (`count()` patches the class, so every connection of
the process is counted, the event bridge's and the lease keeper's included).
"""

from __future__ import annotations

import collections
import re
from typing import Any

CALLS: collections.Counter[str] = collections.Counter()
_METHODS = ("fetch", "fetchrow", "fetchval", "execute", "executemany")


def _key(query: str) -> str:
    return re.sub(r"\s+", " ", query.strip())[:110]


def count() -> None:
    """Count from now on (idempotent)."""
    import asyncpg.connection

    cls: Any = asyncpg.connection.Connection
    if getattr(cls, "_aimy_counted", False):
        return
    for name in _METHODS:
        original = getattr(cls, name)

        def counted(self: Any, query: str, *args: Any, _original: Any = original, **kw: Any) -> Any:
            CALLS[_key(query)] += 1
            return _original(self, query, *args, **kw)

        setattr(cls, name, counted)
    cls._aimy_counted = True


def report(messages: int, top: int = 25) -> None:
    total = sum(CALLS.values())
    print(f"round trips: {total} = {total / messages:.1f} per message; the most frequent:")
    for query, n in CALLS.most_common(top):
        print(f"  {n / messages:5.2f}  {query}")
