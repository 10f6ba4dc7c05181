"""Fewer index entries written per message on Postgres (issue 18).

Every insert writes an entry in each index of its table, and so does every update that is
not HOT (one that changes an indexed column, or finds no room for the new version on its
page). A message answered by the bot wrote ~55 of them; Postgres' CPU per message is the
server mode's cost per node.

- `messages`: the unique `(workspace_id, session_id, wa_message_id)` (redelivery) and the
  index `(session_id, wa_message_id)` (receipts, m0004) become one unique index led by
  `session_id`, which serves both: the same uniqueness, one entry fewer per message version.
- `messages (flow_id)`, `conversations (assigned_user_id)`, `conversations (workspace_id,
  resolved_at)` and the unique `outbox (workspace_id, idempotency_key)` keep only the rows
  that have a value: they are read by equality or by range on it (a flow's deletion, an
  agent's chats, the resolved-in-a-window counts, a retried API send), never for NULL, and
  most messages have no flow, most chats no agent and no resolution while they are busy,
  most sends no key — the conversation is updated twice per message and an outbox row twice
  per send, non-HOT (`last_message_at`, `status` are indexed), so each such index cost an
  entry each time. An equality or range on the column implies `IS NOT NULL` even with a
  parameter, so generic plans use these indexes too; the unique index still refuses a
  second row with the same key (NULL keys never collided).
- Not done: a fillfactor below 100 on `messages` (room for the receipts' new versions on
  their page). The receipts — `status`, `delivered_at`, `read_at`, no index — are already
  HOT (page pruning makes the room); the non-HOT updates are the routing mark (`routed_at`
  is in the unrouted index's predicate) and the sent mark (`wa_message_id` is indexed), which
  no free space makes HOT. Measured: the same HOT counts at fillfactor 90 and 100.

SQLite keeps its indexes: its unique constraint cannot be dropped without rebuilding the
table, and SQLite has no round trips or separate server CPU to save.
"""

from __future__ import annotations

_POSTGRES = [
    "CREATE UNIQUE INDEX ux_messages_session_wa ON messages "
    "(session_id, wa_message_id, workspace_id)",
    "ALTER TABLE messages DROP CONSTRAINT IF EXISTS "
    "messages_workspace_id_session_id_wa_message_id_key",
    "DROP INDEX IF EXISTS ix_messages_session_id_wa_message_id",
    "DROP INDEX IF EXISTS ix_messages_flow_id",
    "CREATE INDEX ix_messages_flow_id ON messages (flow_id) WHERE flow_id IS NOT NULL",
    "DROP INDEX IF EXISTS ix_conversations_assigned_user_id",
    "CREATE INDEX ix_conversations_assigned_user_id ON conversations (assigned_user_id) "
    "WHERE assigned_user_id IS NOT NULL",
    "DROP INDEX IF EXISTS ix_conversations_workspace_id_resolved_at",
    "CREATE INDEX ix_conversations_workspace_id_resolved_at ON conversations "
    "(workspace_id, resolved_at) WHERE resolved_at IS NOT NULL",
    "DROP INDEX IF EXISTS ux_outbox_idempotency",
    "CREATE UNIQUE INDEX ux_outbox_idempotency ON outbox (workspace_id, idempotency_key) "
    "WHERE idempotency_key IS NOT NULL",
]


def statements(dialect: str) -> list[str]:
    """The DDL of this migration for "sqlite" or "postgres" (nothing on SQLite)."""
    return _POSTGRES if dialect == "postgres" else []
