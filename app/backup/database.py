"""Database snapshots: SQLite's online backup API, Postgres via pg_dump/pg_restore.

The SQLite backup API copies a consistent snapshot page by page while the app keeps writing
(WAL mode), so `backup` is safe on a running app; a plain file copy is not.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import subprocess
from pathlib import Path

from app.backup.manifest import BackupError
from app.settings import Settings


def sqlite_path(settings: Settings) -> Path | None:
    """The SQLite file behind `settings.db_url`, or None for Postgres."""
    url = settings.db_url
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


def snapshot_sqlite(source: Path, target: Path) -> None:
    if not source.exists():
        raise BackupError(f"no database at {source}: nothing to back up")
    with contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src:
        with contextlib.closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file in the archive


def schema_version_sqlite(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        try:
            row = db.execute("SELECT max(version) FROM schema_migrations").fetchone()
        except sqlite3.OperationalError:
            return 0
    return int(row[0] or 0)


def install_sqlite(snapshot: Path, target: Path) -> None:
    """Put the snapshot in place; a stale -wal/-shm next to it would corrupt the new file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.move(str(snapshot), target)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"Postgres backups need `{name}` (the postgresql-client package, same major "
            "version as the server) on PATH; or back the database up with your own tooling "
            "and the files with this command on a SQLite install"
        )
    return path


def _run(argv: list[str]) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} failed: {done.stderr.strip()[-800:]}")


def dump_postgres(url: str, target: Path) -> None:
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-acl", "-f", str(target), url])


def restore_postgres(url: str, dump: Path) -> None:
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-acl",
            "--single-transaction",
            "-d",
            url,
            str(dump),
        ]
    )


def schema_version_postgres(url: str) -> int:
    sql = "SELECT coalesce(max(version), 0) FROM schema_migrations"
    check = "SELECT to_regclass('schema_migrations') IS NOT NULL"
    psql = _tool("psql")
    exists = subprocess.run(  # noqa: S603
        [psql, "-qtAX", "-d", url, "-c", check], capture_output=True, text=True, check=False
    )
    if exists.returncode != 0:
        raise BackupError(f"psql failed: {exists.stderr.strip()[-800:]}")
    if exists.stdout.strip() != "t":
        return 0
    out = subprocess.run(  # noqa: S603
        [psql, "-qtAX", "-d", url, "-c", sql], capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip() or 0)
