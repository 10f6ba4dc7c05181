"""Broadcasts that run (issue 15 items 2, 3): the recipient claim and consent.

- `broadcast_recipients.message_id`: the message queued for the recipient, written in the
  transaction that claimed the row (pending → queued) and wrote the outbox row — so a crash
  leaves a recipient either unclaimed (messaged after the restart) or claimed with its
  message queued (sent by the dispatcher), never both nor neither. `queued_at`, `replied_at`.
  Index (broadcast_id, status): the runner takes pending rows and counts queued ones per
  broadcast; (message_id): deleting a message sets it NULL without a scan.
- `broadcasts.media` (the `mediaUrl` fetched once through the SSRF guard and stored),
  `error` (why it FAILED), `completed_at`; index (status): the runner's due/active query.
- `contacts.opted_out_at`: opted out of broadcasts (an opt-out word, or by hand).
- `workspace_settings.opt_out_words`: the workspace's own words besides the built-in ones.
"""

from __future__ import annotations

from app.db.migrations._sql import render

_SQL = """
ALTER TABLE broadcast_recipients ADD COLUMN message_id {id} {set_null:messages}
ALTER TABLE broadcast_recipients ADD COLUMN queued_at {ts}
ALTER TABLE broadcast_recipients ADD COLUMN replied_at {ts}
CREATE INDEX ix_broadcast_recipients_run ON broadcast_recipients (broadcast_id, status)
CREATE INDEX ix_broadcast_recipients_message ON broadcast_recipients (message_id)
ALTER TABLE broadcasts ADD COLUMN media {json}
ALTER TABLE broadcasts ADD COLUMN error TEXT
ALTER TABLE broadcasts ADD COLUMN completed_at {ts}
CREATE INDEX ix_broadcasts_status ON broadcasts (status)
ALTER TABLE contacts ADD COLUMN opted_out_at {ts}
ALTER TABLE workspace_settings ADD COLUMN opt_out_words {json} NOT NULL DEFAULT '[]'
"""


def statements(dialect: str) -> list[str]:
    """The DDL of this migration for "sqlite" or "postgres"."""
    return [render(dialect, line) for line in _SQL.strip().splitlines()]
