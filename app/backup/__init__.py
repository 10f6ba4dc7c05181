"""Backup and restore: one tar.gz of the database, files and still-encrypted credentials."""

from __future__ import annotations

from app.backup.archive import create_backup, restore_backup
from app.backup.manifest import BackupError, Manifest

__all__ = ["BackupError", "Manifest", "create_backup", "restore_backup"]
