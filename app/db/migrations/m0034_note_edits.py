"""A private note can be edited (`conversation_notes.edited_at`: when, shown as "edited").

Notes could only be added; a typo or a note posted in the wrong thread stayed for good. The
author edits or deletes their own note, an admin or owner deletes anyone's (app/services/notes.py).
"""

from __future__ import annotations

from app.db.migrations._sql import render


def statements(dialect: str) -> list[str]:
    """The DDL of this migration for "sqlite" or "postgres"."""
    return [render(dialect, "ALTER TABLE conversation_notes ADD COLUMN edited_at {ts}")]
