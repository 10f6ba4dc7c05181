"""Analytics (issue 17 items 1-2).

- `analytics_hourly`: additive counts per (workspace, session, UTC hour, metric, dim), rewritten
  whole hours at a time by the aggregation job; `analytics_watermarks`: how far they are complete.
- `messages.escalation_reason`: the reason on the bot reply that handed a conversation to a
  person (until now only a notification said so, and notifications expire after 7 days) —
  "bot-resolved" must exclude escalated conversations.
- indexes for the raw reads: the job reads messages by `created_at` across workspaces; the
  endpoints read the not-yet-aggregated tail by workspace and time, conversations by
  `resolved_at` / `created_at`, contacts by `created_at`.
"""

from __future__ import annotations

from app.db.migrations._sql import ddl, render

_TABLES = """
analytics_hourly (
    id {pk}, workspace_id {id} NOT NULL {cascade:workspaces},
    session_id VARCHAR(36) NOT NULL DEFAULT '', hour {ts} NOT NULL,
    metric VARCHAR(32) NOT NULL, dim VARCHAR(64) NOT NULL DEFAULT '',
    value INTEGER NOT NULL DEFAULT 0,
    UNIQUE (workspace_id, hour, session_id, metric, dim))
analytics_watermarks (
    id {pk}, name VARCHAR(32) NOT NULL UNIQUE, until {ts} NOT NULL DEFAULT {now})
"""
_INDEXES = """
analytics_hourly (hour)
messages (created_at)
messages (workspace_id, created_at)
conversations (workspace_id, created_at)
conversations (workspace_id, resolved_at)
contacts (workspace_id, created_at)
"""
_SQL = """
ALTER TABLE messages ADD COLUMN escalation_reason VARCHAR(64)
"""


def statements(dialect: str) -> list[str]:
    """The DDL of this migration for "sqlite" or "postgres"."""
    altered = [render(dialect, line) for line in _SQL.strip().splitlines()]
    return [*altered, *ddl(dialect, _TABLES, _INDEXES)]
