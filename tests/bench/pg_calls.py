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


# (start, end, statement) of every round trip while `TRACING[0]` is set (`--trace`)
TRACE: list[tuple[float, float, str]] = []
TRACING = [False]


def trace() -> None:
    """Time every round trip (perf_counter) while TRACING[0] is true; install before the pool
    opens, like `count()`."""
    import time

    import asyncpg.connection

    cls: Any = asyncpg.connection.Connection
    if getattr(cls, "_aimy_traced", False):
        return
    for name in _METHODS:
        original = getattr(cls, name)

        async def timed(
            self: Any, query: str, *args: Any, _original: Any = original, **kw: Any
        ) -> Any:
            if not TRACING[0]:
                return await _original(self, query, *args, **kw)
            t0 = time.perf_counter()
            try:
                return await _original(self, query, *args, **kw)
            finally:
                TRACE.append((t0, time.perf_counter(), _key(query)))

        setattr(cls, name, timed)
    cls._aimy_traced = True


def timeline(spans: list[tuple[float, float]]) -> None:
    """For messages sent one at a time — (inject started, reply sent) each, perf_counter —
    where the time goes: round trips in flight vs in between, and the median message's
    statements one by one (offset from the inject, duration)."""
    import statistics

    rows = []
    for t_in, t_out in spans:
        calls = [c for c in TRACE if t_in <= c[0] < t_out]
        in_db = sum(min(e, t_out) - s for s, e, _ in calls)
        rows.append((t_out - t_in, in_db, len(calls), t_in, calls))
    total = statistics.median(r[0] for r in rows) * 1000
    db = statistics.median(r[1] for r in rows) * 1000
    print(
        f"inject → sent: median {total:.2f} ms, of it in Postgres round trips {db:.2f} ms "
        f"({statistics.median(r[2] for r in rows):.0f} round trips); the rest {total - db:.2f} ms "
        "is Python, the event loop and waits"
    )
    rows.sort(key=lambda r: r[0])
    for name, rank in (("the median message", len(rows) // 2), ("the p99 message", -3)):
        took, _, _, t_in, calls = rows[rank]
        print(f"{name}, {took * 1000:.2f} ms (ms from the inject: start +duration, statement):")
        last = t_in
        for s, e, q in calls:
            gap = (s - last) * 1000
            print(f"  {(s - t_in) * 1000:7.2f} +{(e - s) * 1000:5.2f}  (gap {gap:5.2f})  {q[:80]}")
            last = e
    tail = rows[-max(1, len(rows) // 50) :]  # the slowest 2 %: what ran beside them
    print(f"the slowest {len(tail)} messages: {', '.join(f'{r[0] * 1000:.1f}' for r in tail)} ms")


def by_statement(spans: list[tuple[float, float]], top: int = 16) -> None:
    """Median and p90 duration of each statement over the traced messages, and how often."""
    import statistics

    times: dict[str, list[float]] = {}
    for t_in, t_out in spans:
        for s, e, q in TRACE:
            if t_in <= s < t_out:
                times.setdefault(q, []).append((e - s) * 1000)
    print("per statement over all traced messages (median / p90 ms, count per message):")
    ranked = sorted(times.items(), key=lambda kv: -statistics.median(kv[1]) * len(kv[1]))
    for q, ms in ranked[:top]:
        p90 = sorted(ms)[int(0.9 * (len(ms) - 1))]
        print(
            f"  {statistics.median(ms):5.2f} / {p90:5.2f}  x{len(ms) / len(spans):4.2f}  {q[:80]}"
        )
