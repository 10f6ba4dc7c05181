"""Indexes the message path pays for on every write, cut to what it reads.

- Dropped (both engines): `messages (session_id)` — led by `messages (session_id,
  wa_message_id)` (m0004) — and `outbox (session_id)` — led by `outbox (session_id, status,
  priority, created_at)` and `(session_id, jid, status)` (m0021). Lookups by `session_id`
  alone (the unrouted sweep, ON DELETE of a number) use the wider indexes' leading column.
- Postgres: the chat index `outbox (session_id, jid, status)` becomes `outbox (session_id,
  jid) WHERE status IN ('SENDING', 'PENDING')` — only the rows still to send, not every row
  a number ever sent. The claim's chat check (`app/db/repos/send_budget.py`, `_HEADS`) reads
  it by (session_id, jid) and nothing else can be cheaper, so its cost follows the rows in
  flight whatever the statistics say. SQLite keeps the full index (its planner, without
  statistics, is told which index the claim uses).
- Postgres: `messages (routed_at, direction)` becomes `messages (created_at, id) WHERE
  routed_at IS NULL AND direction = 'INBOUND'` — the inbound messages not routed yet, which
  is all the recovery sweep reads (`app/db/repos/unrouted.py`, its predicate in constants).
  The full index had an entry for every version of every message (insert, the non-HOT
  `routed_at` update, every reply); this one gets one per inbound message. And the route
  decision's `UPDATE messages SET routed_at … WHERE id = … AND routed_at IS NULL` can no
  longer be planned through it (no direction term): only the primary key is left, where a
  stale-statistics plan read every unrouted entry and the dead ones of every routed message
  since the last vacuum (~110 buffers per message in session 10). SQLite keeps the full index.

Why: every index is written on every insert — and on every update that is not HOT, which on
these two tables is nearly every update (`routed_at`, `status` are indexed) — and on Postgres
a planner with stale statistics (a young or fast-growing table, before autovacuum's next
ANALYZE) chose the single-column indexes and the chat index by `session_id` alone for the send
claim: every row the number ever sent read per claim, 700–1,900 buffers (session 10,
tests/bench/RESULTS-scale.md).
"""

from __future__ import annotations

_BOTH = [
    "DROP INDEX IF EXISTS ix_messages_session_id",
    "DROP INDEX IF EXISTS ix_outbox_session_id",
]
_POSTGRES = [
    "DROP INDEX IF EXISTS ix_outbox_chat",
    "CREATE INDEX ix_outbox_chat_open ON outbox (session_id, jid) "
    "WHERE status IN ('SENDING', 'PENDING')",
    "DROP INDEX IF EXISTS ix_messages_routed_at_direction",
    "CREATE INDEX ix_messages_unrouted ON messages (created_at, id) "
    "WHERE routed_at IS NULL AND direction = 'INBOUND'",
]


def statements(dialect: str) -> list[str]:
    """The DDL of this migration for "sqlite" or "postgres"."""
    return _BOTH + (_POSTGRES if dialect == "postgres" else [])
