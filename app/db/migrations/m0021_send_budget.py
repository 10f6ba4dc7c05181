"""The per-number send budget and sending first (issue 15 items 1 and 4).

- `send_budgets`: one row per WhatsApp session — its own limits (NULL = the server default),
  the recent send slots and today's counts the dispatcher claims against (locked in the
  transaction that claims outbox rows), recent send failures, and the pause state.
- `outbox.kind` / `priority`: why a row goes out (reply, human, flow, send_first, broadcast)
  and who gets a free slot first; `cold`: to a contact who never wrote (own daily cap);
  `slot_at`: the moment the budget let it go; `idempotency_key`: a send-first call retried
  with the same key finds its first row instead of sending twice.
- indexes `outbox (session_id, status, priority, created_at)` and `(session_id, jid, status)`:
  the claim reads a session's due rows one priority at a time, in order, and checks each
  candidate's chat — its cost follows what it takes, not how many rows wait (a broadcast of
  thousands held back by quiet hours costs nothing per claim).
- `workspace_settings.timezone` and quiet hours: when non-replies wait, in local time.

Numbers linked before this migration get their budget row here, linked at their creation:
the warm-up ramp is for new numbers, not for ones that have been sending all along.
"""

from __future__ import annotations

from app.db.migrations._sql import ddl, render

_TABLES = """
send_budgets (
    id {pk}, workspace_id {id} NOT NULL {cascade:workspaces},
    session_id {id} NOT NULL UNIQUE {cascade:whatsapp_sessions},
    per_minute INTEGER, per_day INTEGER, cold_per_day INTEGER, warmup_enabled BOOLEAN,
    warmup_start_per_day INTEGER, warmup_days INTEGER, linked_at {ts},
    slots {json} NOT NULL DEFAULT '[]', day VARCHAR(10) NOT NULL DEFAULT '',
    day_sent INTEGER NOT NULL DEFAULT 0, day_cold INTEGER NOT NULL DEFAULT 0,
    failures {json} NOT NULL DEFAULT '[]', paused_at {ts}, pause_reason TEXT,
    updated_at {ts} NOT NULL DEFAULT {now})
"""

_SQL = """
ALTER TABLE outbox ADD COLUMN kind VARCHAR(16) NOT NULL DEFAULT 'reply'
ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 0
ALTER TABLE outbox ADD COLUMN cold BOOLEAN NOT NULL DEFAULT {false}
ALTER TABLE outbox ADD COLUMN slot_at {ts}
ALTER TABLE outbox ADD COLUMN idempotency_key VARCHAR(255)
CREATE INDEX ix_outbox_claim ON outbox (session_id, status, priority, created_at)
CREATE INDEX ix_outbox_chat ON outbox (session_id, jid, status)
CREATE UNIQUE INDEX ux_outbox_idempotency ON outbox (workspace_id, idempotency_key)
ALTER TABLE workspace_settings ADD COLUMN timezone VARCHAR(64) NOT NULL DEFAULT 'UTC'
ALTER TABLE workspace_settings ADD COLUMN quiet_hours_enabled BOOLEAN NOT NULL DEFAULT {false}
ALTER TABLE workspace_settings ADD COLUMN quiet_hours_start VARCHAR(5) NOT NULL DEFAULT '21:00'
ALTER TABLE workspace_settings ADD COLUMN quiet_hours_end VARCHAR(5) NOT NULL DEFAULT '08:00'
"""
_BACKFILL = (
    "INSERT INTO send_budgets (id, workspace_id, session_id, linked_at) "
    "SELECT id, workspace_id, id, created_at FROM whatsapp_sessions"
)


def statements(dialect: str) -> list[str]:
    """The DDL of this migration for "sqlite" or "postgres"."""
    altered = [render(dialect, line) for line in _SQL.strip().splitlines()]
    return [*ddl(dialect, _TABLES), *altered, _BACKFILL]
