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
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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


def libpq_url(url: str) -> tuple[str, str | None]:
    """The URL for libpq tools, and the schema when the app's URL picks one.

    asyncpg takes `?search_path=s` as a server setting; libpq rejects that parameter and wants
    `options=-csearch_path=s` instead. The backup then covers that schema only.
    """
    parts = urlsplit(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    query = parse_qsl(parts.query, keep_blank_values=True)
    schema = next((v for k, v in query if k == "search_path"), None)
    query = [(k, v) for k, v in query if k != "search_path"]
    if schema:
        query.append(("options", f"-csearch_path={schema}"))
    return urlunsplit(parts._replace(query=urlencode(query))), schema


def dump_postgres(url: str, target: Path) -> None:
    conn, schema = libpq_url(url)
    only = [f"--schema={schema}"] if schema else []
    _run(
        [
            _tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-acl",
            *only,
            "-f",
            str(target),
            "-d",
            conn,
        ]
    )


def restore_postgres(url: str, dump: Path) -> None:
    pg_restore = _tool("pg_restore")
    flags = ["--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction"]
    _run([pg_restore, *flags, "-d", libpq_url(url)[0], str(dump)])


def schema_version_postgres(url: str) -> int:
    sql = "SELECT coalesce(max(version), 0) FROM schema_migrations"
    check = "SELECT to_regclass('schema_migrations') IS NOT NULL"
    psql, url = _tool("psql"), libpq_url(url)[0]
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
