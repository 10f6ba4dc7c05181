"""Outbound webhooks that can be trusted (issue 16): a delivery table written in the
transaction of the change that caused it, and what the sender keeps on the webhook.

- `webhooks.updated_at`; `webhooks.failing_since`: when the current run of failed attempts
  began (NULL while healthy); `webhooks.disabled_reason`: why the sender turned it off.
- `webhook_deliveries`: one row per (event, webhook). `seq` orders a webhook's deliveries of
  one conversation (`ordering_key`); `lease_until` is how long a claim holds (a node that
  died mid-send gives the row up when it passes); `body` is the exact JSON sent.
- indexes: due rows by (status, next_attempt_at) for the claim; a webhook's log (newest
  first) and its retention window by (webhook_id, seq); the order check — "is an earlier row
  of this conversation still waiting?" — by (webhook_id, ordering_key, status, seq), so it
  never walks the rows already delivered.
"""

from __future__ import annotations

from app.db.migrations._sql import ddl, render

_ALTER = """
ALTER TABLE webhooks ADD COLUMN updated_at {ts} NOT NULL DEFAULT {now}
ALTER TABLE webhooks ADD COLUMN failing_since {ts}
ALTER TABLE webhooks ADD COLUMN disabled_reason TEXT
"""

_TABLES = """
webhook_deliveries (
    id {pk}, webhook_id {id} NOT NULL {cascade:webhooks},
    workspace_id {id} NOT NULL, event_id {id} NOT NULL, event_type VARCHAR(64) NOT NULL,
    body TEXT NOT NULL, ordering_key {id}, seq {bigint} NOT NULL,
    status VARCHAR(10) NOT NULL DEFAULT 'PENDING', attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at {ts} NOT NULL DEFAULT {now}, lease_until {ts},
    status_code INTEGER, duration_ms INTEGER, error TEXT, redelivery_of {id},
    created_at {ts} NOT NULL DEFAULT {now}, last_attempt_at {ts}, delivered_at {ts})
"""

_INDEXES = """
webhook_deliveries (status, next_attempt_at)
webhook_deliveries (webhook_id, seq)
webhook_deliveries (webhook_id, ordering_key, status, seq)
"""


def statements(dialect: str) -> list[str]:
    """The DDL of this migration for "sqlite" or "postgres"."""
    bigint = "INTEGER" if dialect == "sqlite" else "BIGINT"  # piccolo's BigInt per engine
    tables = _TABLES.replace("{bigint}", bigint)
    alter = [render(dialect, line) for line in _ALTER.strip().splitlines()]
    return [*alter, *ddl(dialect, tables, _INDEXES)]
