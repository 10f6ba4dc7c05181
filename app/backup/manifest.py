"""What an archive holds and says about itself.

Layout inside the tar.gz (paths are archive names, not data-dir paths):
  manifest.json        this struct
  database.sqlite      SQLite snapshot (online backup API)  — or —
  database.pgdump      `pg_dump --format=custom` of the Postgres database
  data/…               the data dir: secrets.enc, vectors/, config.toml, …
  media/…              uploads and WhatsApp media (settings.media_path)
  sessions/…           WhatsApp session folders (settings.sessions_path); the sealed credentials
                       themselves are database rows (m0029) — only an install not yet started
                       since then still has them here, still encrypted
  master.key           only with --include-key: base64 of the master key
"""

from __future__ import annotations

from typing import Literal

import msgspec

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite"
PG_MEMBER = "database.pgdump"
KEY_MEMBER = "master.key"
DATA, MEDIA, SESSIONS = "data", "media", "sessions"
# never archived: the live database files (snapshotted instead), the running instance's lock,
# NiceGUI's per-browser storage (logins are re-done after a restore) and temp files
SKIP_NAMES = {"instance.lock", "instance.json", "ui-storage"}
SKIP_SUFFIXES = (".db-wal", ".db-shm", ".db-journal", ".tmp")


class BackupError(Exception):
    """The backup or restore cannot be done safely; the message says why and what to do."""


class Manifest(msgspec.Struct, frozen=True, kw_only=True):
    format: int = FORMAT
    app_version: str
    schema_version: int
    created_at: str
    database: Literal["sqlite", "postgres"]
    vector_store: str
    includes_key: bool = False
    notes: tuple[str, ...] = ()
