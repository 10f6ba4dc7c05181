"""Where a restore may write, and how it replaces what is there.

A restore onto a data dir that already holds data would mix two histories (a LanceDB table
with another's versions, a WAL file applied to a foreign database), so it refuses unless told
`--force`, and then replaces each restored tree whole instead of merging into it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.backup import database as db
from app.backup.manifest import SKIP_NAMES, BackupError
from app.desktop import InstanceLock
from app.settings import Settings


def _has_data(path: Path) -> bool:
    return path.is_dir() and any(p.name not in SKIP_NAMES for p in path.iterdir())


@contextmanager
def target_lock(settings: Settings, *, force: bool) -> Iterator[None]:
    """Hold the data dir's instance lock (no app may run on it) and check it is empty."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    lock = InstanceLock(settings.data_dir)
    if not lock.acquire():
        raise BackupError(f"Aimywhatsapp is running on {settings.data_dir}: stop it first")
    try:
        if not force:
            used = [
                p
                for p in (settings.data_dir, settings.media_path, settings.sessions_path)
                if _has_data(p)
            ]
            if db.sqlite_path(settings) is None and db.schema_version_postgres(settings.db_url):
                used.append(Path("(the Postgres database)"))
            if used:
                raise BackupError(
                    "refusing to restore over existing data in "
                    + ", ".join(str(p) for p in used)
                    + ": use an empty data dir, or --force to replace it"
                )
        yield
    finally:
        lock.release()


def place_tree(source: Path, target: Path) -> None:
    """Move each top-level entry of `source` into `target`, replacing what has that name."""
    if not source.is_dir():
        return
    target.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        dest = target / entry.name
        if dest.is_dir() and not dest.is_symlink():
            shutil.rmtree(dest)
        elif dest.exists() or dest.is_symlink():
            dest.unlink()
        shutil.move(str(entry), dest)
