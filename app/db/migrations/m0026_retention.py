"""Data lifecycle (issue 17 item 5): a workspace's message retention.

- `workspace_settings.message_retention_days`: delete messages (and their media files) older
  than this many days in the nightly cleanup; NULL = keep everything (the default).
- an index for the cleanup's batches: a workspace's messages by `created_at` exists (m0024).
"""

from __future__ import annotations

from app.db.migrations._sql import render

_SQL = """
ALTER TABLE workspace_settings ADD COLUMN message_retention_days INTEGER
"""


def statements(dialect: str) -> list[str]:
    """The DDL of this migration for "sqlite" or "postgres"."""
    return [render(dialect, line) for line in _SQL.strip().splitlines()]
