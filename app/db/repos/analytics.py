"""The analytics counts (`app/domain/analytics.py` defines them): computed from the raw rows for
a span of UTC hours, stored as hourly rows, and read back.

`raw_counts` is the one definition of every number; the aggregation job stores its result for
closed hours (`replace_hours`, with the watermark, in one transaction) and the endpoints read
stored hours before the watermark and `raw_counts` after it — so aggregates and raw counts
cannot disagree on a definition, and the page costs the same at a million messages.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from app.db import fast
from app.db.tables import AnalyticsHourly, AnalyticsWatermark, Message
from app.domain import ConversationStatus
from app.domain.analytics import (
    Count,
    Metric,
    Window,
    duration_edge,
    floor_hour,
    sender_dim,
)

WATERMARK = "hourly"
TOPIC_SAMPLE = 300  # questions clustered per request: bounded cost, the most recent ones
_Key = tuple[str, str, datetime, str, str]  # workspace, session, hour, metric, dim


def _moment(value: Any) -> datetime:
    """A timestamp from a raw query: SQLite hands computed columns back as text."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _scope(column: str, workspace_id: str | None) -> tuple[str, tuple[Any, ...]]:
    return (f" AND {column} = {{}}", (workspace_id,)) if workspace_id else ("", ())


async def raw_counts(
    start: datetime, end: datetime, workspace_id: str | None = None
) -> dict[str, list[Count]]:
    """Every metric of the UTC hours in [start, end), per workspace (all when None)."""
    cells: Counter[_Key] = Counter()

    def add(ws: str, session: str | None, moment: Any, metric: Metric, dim: str) -> None:
        cells[(ws, session or "", floor_hour(_moment(moment)), metric.value, dim)] += 1

    where, extra = _scope("m.workspace_id", workspace_id)
    for r in await fast.execute(
        Message,
        "SELECT m.workspace_id, m.session_id, m.created_at, m.sender_type, m.direction, "  # noqa: S608 (fixed text; values bound)
        "m.confidence, m.sentiment, m.escalation_reason, m.send_kind FROM messages m "
        "WHERE m.created_at >= {} AND m.created_at < {}" + where,
        start,
        end,
        *extra,
    ):
        ws, session, at = r["workspace_id"], r["session_id"], r["created_at"]
        add(ws, session, at, Metric.MESSAGES, sender_dim(r["sender_type"], r["send_kind"]))
        if r["escalation_reason"]:
            add(ws, session, at, Metric.ESCALATIONS, r["escalation_reason"])
        if r["sender_type"] == "BOT" and r["confidence"] is not None:
            decile = min(9, max(0, int(float(r["confidence"]) * 10)))
            add(ws, session, at, Metric.CONFIDENCE, str(decile))
        if r["direction"] == "INBOUND" and r["sentiment"]:
            add(ws, session, at, Metric.SENTIMENT, r["sentiment"])

    where, extra = _scope("c.workspace_id", workspace_id)
    for r in await fast.execute(
        Message,
        "SELECT c.workspace_id, c.session_id, c.created_at FROM contacts c "  # noqa: S608 (fixed text; values bound)
        "WHERE c.created_at >= {} AND c.created_at < {}" + where,
        start,
        end,
        *extra,
    ):
        add(r["workspace_id"], r["session_id"], r["created_at"], Metric.NEW_CONTACTS, "")

    for r in await fast.execute(
        Message,
        "SELECT c.workspace_id, c.session_id, c.created_at, EXISTS (SELECT 1 FROM conversations p "  # noqa: S608 (fixed text; values bound)
        "WHERE p.contact_id = c.contact_id AND p.created_at < c.created_at) AS seen_before "
        "FROM conversations c WHERE c.created_at >= {} AND c.created_at < {}" + where,
        start,
        end,
        *extra,
    ):
        dim = "returning" if r["seen_before"] else "new"
        add(r["workspace_id"], r["session_id"], r["created_at"], Metric.CONVERSATIONS, dim)

    for r in await fast.execute(
        Message,
        "SELECT c.workspace_id, c.session_id, c.created_at, c.resolved_at, "  # noqa: S608 (fixed text; values bound)
        "(c.waiting_since IS NOT NULL OR EXISTS (SELECT 1 FROM messages h "
        "WHERE h.conversation_id = c.id AND (h.sender_type = 'HUMAN' "
        "OR h.escalation_reason IS NOT NULL))) AS helped "
        "FROM conversations c WHERE c.status = {} AND c.resolved_at >= {} "
        "AND c.resolved_at < {}" + where,
        ConversationStatus.RESOLVED,
        start,
        end,
        *extra,
    ):
        who = "human" if r["helped"] else "bot"
        resolved, begun = _moment(r["resolved_at"]), _moment(r["created_at"])
        ws, session = r["workspace_id"], r["session_id"]
        add(ws, session, resolved, Metric.RESOLVED, who)
        seconds = (resolved - begun).total_seconds()
        add(ws, session, resolved, Metric.RESOLUTION_TIME, f"{who}:{duration_edge(seconds)}")

    where, extra = _scope("m.workspace_id", workspace_id)
    for r in await fast.execute(
        Message,
        "SELECT m.workspace_id, m.session_id, m.created_at, m.sender_type, "  # noqa: S608 (fixed text; values bound)
        "(SELECT MIN(i.created_at) FROM messages i WHERE i.conversation_id = m.conversation_id "
        "AND i.direction = 'INBOUND') AS asked FROM messages m "
        "WHERE m.direction = 'OUTBOUND' AND m.created_at >= {} AND m.created_at < {}"
        + where
        + " AND NOT EXISTS (SELECT 1 FROM messages p WHERE p.conversation_id = m.conversation_id "
        "AND p.direction = 'OUTBOUND' AND p.created_at < m.created_at)",
        start,
        end,
        *extra,
    ):
        if r["asked"] is None:  # a conversation we started (send-first, broadcast): no question
            continue
        answered, asked = _moment(r["created_at"]), _moment(r["asked"])
        if asked > answered:
            continue
        who = "human" if r["sender_type"] == "HUMAN" else "bot"
        dim = f"{who}:{duration_edge((answered - asked).total_seconds())}"
        add(r["workspace_id"], r["session_id"], answered, Metric.FIRST_RESPONSE, dim)

    where, extra = _scope("a.workspace_id", workspace_id)
    for r in await fast.execute(
        Message,
        "SELECT a.workspace_id, a.created_at, a.action, a.metadata FROM audit_logs a "  # noqa: S608 (fixed text; values bound)
        "WHERE a.action IN ('message.approve', 'message.reject') "
        "AND a.created_at >= {} AND a.created_at < {}" + where,
        start,
        end,
        *extra,
    ):
        if r["action"] == "message.reject":
            dim = "rejected"
        else:
            meta = r["metadata"]
            meta = json.loads(meta) if isinstance(meta, str) else (meta or {})
            dim = "edited" if meta.get("edited") else "approved"
        add(r["workspace_id"], None, r["created_at"], Metric.APPROVALS, dim)

    out: dict[str, list[Count]] = {}
    for (ws, session, hour, metric, dim), value in cells.items():
        out.setdefault(ws, []).append(Count(hour, session, metric, dim, value))
    return out


async def stored_counts(
    workspace_id: str,
    start: datetime,
    end: datetime,
    session_id: str | None = None,
    metrics: tuple[str, ...] = (),
    by_hour: bool = True,
) -> list[Count]:
    """The stored hourly rows of a workspace in [start, end): only `metrics` (all when empty);
    without `by_hour`, one total per metric and dim (dated `start`) — what KPIs need.

    Plain rows with the hour as text: a year of hours is tens of thousands of rows, too many
    to pay for table objects or the driver's timestamp conversion."""
    where = "workspace_id = {} AND hour >= {} AND hour < {}"
    args: list[Any] = [workspace_id, start, end]
    if session_id is not None:
        where += " AND session_id = {}"
        args.append(session_id)
    if metrics:
        where += f" AND metric IN ({', '.join('{}' for _ in metrics)})"
        args += list(metrics)
    if by_hour:
        select = "CAST(hour AS TEXT) AS h, session_id, metric, dim, value"
        tail = ""
    else:
        select = "metric, dim, SUM(value) AS value"
        tail = " GROUP BY metric, dim"
    rows = await fast.execute(
        AnalyticsHourly,
        f"SELECT {select} FROM analytics_hourly WHERE {where}{tail}",  # noqa: S608 (fixed text)
        *args,
    )
    if not by_hour:
        return [
            Count(start, session_id or "", r["metric"], r["dim"], int(r["value"])) for r in rows
        ]
    return [
        Count(_moment(r["h"]), r["session_id"], r["metric"], r["dim"], r["value"]) for r in rows
    ]


async def watermark() -> datetime | None:
    """The end (exclusive) of the hours stored so far; None before the first run."""
    row = (
        await AnalyticsWatermark.select(AnalyticsWatermark.until)
        .where(AnalyticsWatermark.name == WATERMARK)
        .first()
    )
    return None if row is None else _moment(row["until"])


async def earliest() -> datetime | None:
    """The first moment anything countable happened (where the first run starts)."""
    rows = await fast.execute(
        Message,
        "SELECT MIN(t) AS t FROM (SELECT MIN(created_at) AS t FROM messages "
        "UNION ALL SELECT MIN(created_at) FROM contacts "
        "UNION ALL SELECT MIN(created_at) FROM conversations) AS firsts",
    )
    first = rows[0]["t"] if rows else None
    return None if first is None else floor_hour(_moment(first))


async def replace_hours(start: datetime, end: datetime, counts: dict[str, list[Count]]) -> None:
    """Store the hours [start, end) of every workspace and move the watermark up to `end` — in one
    transaction: a crash leaves the hours and the watermark as they were, so the next run
    computes the same hours again and replaces them (never adds to them)."""
    rows = [
        AnalyticsHourly(
            workspace_id=ws,
            session_id=c.session_id,
            hour=c.hour,
            metric=c.metric,
            dim=c.dim,
            value=c.value,
        )
        for ws, cells in counts.items()
        for c in cells
    ]
    async with AnalyticsHourly._meta.db.transaction():
        await AnalyticsHourly.delete().where(
            (AnalyticsHourly.hour >= start) & (AnalyticsHourly.hour < end)
        )
        for i in range(0, len(rows), 500):
            await AnalyticsHourly.insert(*rows[i : i + 500])
        stored_until = await watermark()
        if stored_until is None:
            await AnalyticsWatermark.insert(AnalyticsWatermark(name=WATERMARK, until=end))
        elif stored_until < end:  # a recheck of older hours leaves the watermark where it is
            await AnalyticsWatermark.update({AnalyticsWatermark.until: end}).where(
                AnalyticsWatermark.name == WATERMARK
            )


async def recent_questions(workspace_id: str, window: Window) -> list[tuple[str, bool]]:
    """(text, answered by the bot) of the most recent inbound text messages: answered when the
    next outbound message of the conversation is the bot's and did not escalate."""
    session = " AND m.session_id = {}" if window.session_id else ""
    args = (window.session_id,) if window.session_id else ()
    rows = await fast.execute(
        Message,
        "SELECT m.content, (SELECT o.sender_type || ':' || COALESCE(o.escalation_reason, '') "  # noqa: S608 (fixed text; values bound)
        "FROM messages o WHERE o.conversation_id = m.conversation_id "
        "AND o.direction = 'OUTBOUND' AND o.created_at >= m.created_at "
        "ORDER BY o.created_at LIMIT 1) AS reply FROM messages m "
        "WHERE m.workspace_id = {} AND m.direction = 'INBOUND' AND m.created_at >= {} "
        "AND m.created_at < {} AND m.content != ''" + session + " ORDER BY m.created_at DESC "
        "LIMIT {}",
        workspace_id,
        window.start,
        window.end,
        *args,
        TOPIC_SAMPLE,
    )
    return [
        (r["content"].strip(), r["reply"] == "BOT:") for r in rows if len(r["content"].strip()) >= 3
    ]
