"""`messages.media_filename` and `messages.media_mime`: what a file was called and what it is.

A contact's document arrives with its own name ("invoice-2231.pdf") and type; the stored file
is named by message id, so without these the inbox could only offer "document-1a2b.pdf" and
had to guess the type from the extension. Agents' attachments record theirs the same way.
"""

from __future__ import annotations

from app.db.migrations._sql import render

_SQL = """
ALTER TABLE messages ADD COLUMN media_filename TEXT
ALTER TABLE messages ADD COLUMN media_mime VARCHAR(128)
"""


def statements(dialect: str) -> list[str]:
    """The DDL of this migration for "sqlite" or "postgres"."""
    return [render(dialect, line) for line in _SQL.strip().splitlines()]
