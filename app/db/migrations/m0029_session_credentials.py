"""WhatsApp credentials in the database; nodes publish their internal address (issue 18 item 2).

- `session_credentials`: a linked number's sealed whatsmeow store (AES-256-GCM, the blob the
  vault made — see `app/channels/vault.py`), one row per session (`id` = the session's id),
  so whichever node takes the session's lease over unseals the same credentials — none of
  them lives on one node's disk.
  `token` is the lease fencing token the row was written under: a write is guarded by the
  writer's lease (`app/db/repos/credentials.py`). The blob is base64 text (TEXT on both
  engines: one code path, and nothing engine-specific for dumps). The row dies with its
  session (and so with its workspace).
- `nodes.url`: where the other nodes reach this node (`AIMY_NODE_URL`): a live-channel request
  (QR, pairing code, logout…) that lands on a node not running the session is forwarded there.
"""

from __future__ import annotations

from app.db.migrations._sql import ddl, render

_SQL = """
ALTER TABLE nodes ADD COLUMN url VARCHAR(512) NOT NULL DEFAULT ''
"""
_TABLES = """
session_credentials (
    id {pk}, session_id {id} NOT NULL UNIQUE {cascade:whatsapp_sessions},
    workspace_id {id} NOT NULL, blob TEXT NOT NULL, token INTEGER NOT NULL DEFAULT 0,
    sealed_at {ts} NOT NULL DEFAULT {now})
"""


def statements(dialect: str) -> list[str]:
    """The DDL of this migration for "sqlite" or "postgres"."""
    altered = [render(dialect, line) for line in _SQL.strip().splitlines()]
    return [*altered, *ddl(dialect, _TABLES, "")]
