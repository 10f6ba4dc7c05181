"""`whatsapp_sessions.last_error`: why the session is not connected, as the channel said it.

Kept with the status, so `GET /whatsapp/sessions` (and the Settings page) can say why a
number flips between CONNECTING and DISCONNECTED — e.g. no internet — instead of only the
log knowing; cleared once connected.
"""

from __future__ import annotations

from app.db.migrations._sql import render

_SQL = ("ALTER TABLE whatsapp_sessions ADD COLUMN last_error TEXT",)


def statements(dialect: str) -> list[str]:
    """The DDL of this migration for "sqlite" or "postgres"."""
    return [render(dialect, line) for line in _SQL]
