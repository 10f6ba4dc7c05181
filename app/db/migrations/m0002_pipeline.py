"""Pipeline state: message delivery status and routing mark, session enablement, bot pause.

- `messages.status`: where an outbound message stands (PENDING_APPROVAL, QUEUED, SENT, …) —
  a draft waiting for approval and a queued reply both have no WhatsApp id yet.
- `messages.routed_at`: set in the transaction that records the routing decision; an inbound
  row without it after a crash is routed again on start (persisted first, never lost).
- `whatsapp_sessions.enabled`: false after an explicit disconnect, so a restart of the app
  does not reconnect a number the user took offline.
- `workspace_settings.human_reply_pauses_bot`: a human agent's manual reply turns on human
  takeover for the contact (the seed's "pauses the bot", configurable).
"""

from __future__ import annotations

from app.db.migrations._sql import render

_SQL = """
ALTER TABLE messages ADD COLUMN status VARCHAR(20) NOT NULL DEFAULT 'RECEIVED'
ALTER TABLE messages ADD COLUMN routed_at {ts}
CREATE INDEX ix_messages_routed_at_direction ON messages (routed_at, direction)
ALTER TABLE whatsapp_sessions ADD COLUMN enabled BOOLEAN NOT NULL DEFAULT {true}
ALTER TABLE workspace_settings ADD COLUMN human_reply_pauses_bot BOOLEAN NOT NULL DEFAULT {true}
"""


def statements(dialect: str) -> list[str]:
    """The DDL of this migration for "sqlite" or "postgres"."""
    return [render(dialect, line) for line in _SQL.strip().splitlines()]
