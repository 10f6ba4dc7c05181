"""`messages.media_ref`: the channel's reference to an inbound message's media.

The file is fetched after the message is stored; until it is on disk, this is all there is
of it. Kept on the row, a fetch that failed (unwritable media folder, full disk, a download
error) can be tried again later — and recovery after a crash still knows the message had a
file to fetch. The retry looks only at messages still missing their file: a partial index.
"""

from __future__ import annotations

from app.db.migrations._sql import render

_SQL = (
    "ALTER TABLE messages ADD COLUMN media_ref TEXT",
    "CREATE INDEX ix_messages_media_missing ON messages (created_at) "
    "WHERE media_ref IS NOT NULL AND media_url IS NULL",
)


def statements(dialect: str) -> list[str]:
    """The DDL of this migration for "sqlite" or "postgres"."""
    return [render(dialect, line) for line in _SQL]
