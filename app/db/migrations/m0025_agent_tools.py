"""The agent's everyday tools (issue 17 item 4): canned replies, private notes, CSAT.

- `canned_replies`: a workspace's saved answers, found by `shortcut` (unique per workspace)
  and filled per contact with the shared template renderer.
- `conversation_notes`: private notes in a thread. They are their own table, not a kind of
  message: the outbox and dispatcher only ever see `messages`, and analytics, unread counts,
  previews and the AI's history read only `messages`, so a note cannot leak into any of them.
- `csat_ratings`: one row per resolved conversation whose customer was asked for a 1-5
  rating (`asked_at`); `rating` / `answered_at` are set once, by the first reply that is a
  rating (UNIQUE conversation_id keeps it one ask per conversation).
- `workspace_settings.csat_enabled` (off by default), `csat_question` and `csat_thanks`:
  the workspace's own wording (NULL: the built-in one in the customer's language).
"""

from __future__ import annotations

from app.db.migrations._sql import ddl, render

_ALTER = """
ALTER TABLE workspace_settings ADD COLUMN csat_enabled BOOLEAN NOT NULL DEFAULT {false}
ALTER TABLE workspace_settings ADD COLUMN csat_question TEXT
ALTER TABLE workspace_settings ADD COLUMN csat_thanks TEXT
"""

_TABLES = """
canned_replies (
    id {pk}, workspace_id {id} NOT NULL {cascade:workspaces},
    shortcut VARCHAR(32) NOT NULL, title VARCHAR(120) NOT NULL, text TEXT NOT NULL,
    created_by {id} {set_null:users},
    created_at {ts} NOT NULL DEFAULT {now}, updated_at {ts} NOT NULL DEFAULT {now},
    UNIQUE (workspace_id, shortcut))
conversation_notes (
    id {pk}, workspace_id {id} NOT NULL {cascade:workspaces},
    conversation_id {id} NOT NULL {cascade:conversations},
    author_user_id {id} {set_null:users}, text TEXT NOT NULL,
    created_at {ts} NOT NULL DEFAULT {now})
csat_ratings (
    id {pk}, workspace_id {id} NOT NULL {cascade:workspaces},
    conversation_id {id} NOT NULL UNIQUE {cascade:conversations},
    contact_id {id} NOT NULL {cascade:contacts},
    session_id {id} {set_null:whatsapp_sessions},
    rating INTEGER, asked_at {ts} NOT NULL DEFAULT {now}, answered_at {ts})
"""

_INDEXES = """
conversation_notes (conversation_id, created_at)
csat_ratings (contact_id, asked_at)
csat_ratings (workspace_id, answered_at)
"""


def statements(dialect: str) -> list[str]:
    """The DDL of this migration for "sqlite" or "postgres"."""
    alter = [render(dialect, line) for line in _ALTER.strip().splitlines()]
    return [*alter, *ddl(dialect, _TABLES, _INDEXES)]
