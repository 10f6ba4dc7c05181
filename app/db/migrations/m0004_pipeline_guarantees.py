"""What the pipeline needs to keep its promises visible (issue 3 leftovers) and fast.

- `messages.failure_reason`: why an outbound message ended FAILED (retries exhausted, or not
  sent within the resend window while the number was offline) — shown to the agent.
- `conversations.waiting_since`: when the conversation last became WAITING_HUMAN; the
  `human_reply_needed` job measures the wait from here.
- `conversations.human_nudged_at`: when that job last notified; once per waiting period.
- `workspace_settings.human_reply_timeout_min`: minutes a waiting conversation may go without
  a human reply before `human_reply_needed` fires (0 = never).
- index `messages (session_id, wa_message_id)`: receipts look messages up by WhatsApp id;
  without it each receipt scanned every message of the session (the pipeline benchmark's
  main cost as the table grew).
"""

from __future__ import annotations

from app.db.migrations._sql import render

_SQL = """
ALTER TABLE messages ADD COLUMN failure_reason TEXT
ALTER TABLE conversations ADD COLUMN waiting_since {ts}
ALTER TABLE conversations ADD COLUMN human_nudged_at {ts}
ALTER TABLE workspace_settings ADD COLUMN human_reply_timeout_min INTEGER NOT NULL DEFAULT 15
CREATE INDEX ix_messages_session_id_wa_message_id ON messages (session_id, wa_message_id)
"""


def statements(dialect: str) -> list[str]:
    """The DDL of this migration for "sqlite" or "postgres"."""
    return [render(dialect, line) for line in _SQL.strip().splitlines()]
