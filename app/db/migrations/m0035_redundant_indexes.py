"""Drop two indexes that other indexes already cover: `messages (session_id)` (led by
`messages (session_id, wa_message_id)`, m0004) and `outbox (session_id)` (led by both
`outbox (session_id, status, priority, created_at)` and `(session_id, jid, status)`, m0021).

Why: every index is written on every insert — and on every update that is not HOT, which on
these two tables is nearly every update (`routed_at`, `status` are indexed) — so each message
paid for these twice or three times on Postgres and SQLite alike, for nothing a wider index
does not do. Worse, on Postgres a planner with stale statistics (a young or fast-growing
table, before autovacuum's next ANALYZE) chose the single-column index for the send claim
(`outbox o` and `outbox e` by `session_id` alone, every row the number ever sent read per
claim) and for receipts: measured in session 10 (tests/bench/RESULTS-scale.md). Lookups by
`session_id` alone (the unrouted sweep, ON DELETE of a number) use the wider indexes' leading
column.
"""

from __future__ import annotations


def statements(dialect: str) -> list[str]:
    """The DDL of this migration for "sqlite" or "postgres" (the same on both)."""
    return [
        "DROP INDEX IF EXISTS ix_messages_session_id",
        "DROP INDEX IF EXISTS ix_outbox_session_id",
    ]
