"""`create_backup` writes one tar.gz; `restore_backup` puts it back onto a data dir.

Everything encrypted stays encrypted: `secrets.enc` and the sealed WhatsApp credentials (rows of
`session_credentials` in the database snapshot; an old install's files under `sessions/`) are
copied as bytes and never opened, so a backup needs no key. The master key is left out unless
asked for: an archive alone then gives no one the linked WhatsApp numbers or provider API keys.
"""

from __future__ import annotations

import base64
import io
import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import msgspec

from app import __version__
from app.backup import database as db
from app.backup.manifest import (
    DATA,
    KEY_MEMBER,
    MANIFEST,
    MEDIA,
    PG_MEMBER,
    SESSIONS,
    SKIP_NAMES,
    SKIP_SUFFIXES,
    SQLITE_MEMBER,
    BackupError,
    Manifest,
)
from app.backup.placement import place_tree, target_lock
from app.db.migrate import latest_version
from app.secrets import current_master_key, install_master_key
from app.settings import Settings


def _files(root: Path, settings: Settings) -> Iterator[Path]:
    """Files under `root` to archive: not the live database, not trees archived on their own,
    not the models folder (downloads and the e5 export: fetched or rebuilt again, not data)."""
    live_db = db.sqlite_path(settings)
    own_trees = {settings.media_path, settings.sessions_path} - {root}
    left_out = own_trees | {settings.data_dir / "models"}
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(
            n for n in dirnames if n not in SKIP_NAMES and here / n not in left_out
        )
        for name in sorted(filenames):
            path = here / name
            skip = name in SKIP_NAMES or name.endswith(SKIP_SUFFIXES) or path == live_db
            if not skip and not path.is_symlink():
                yield path


def _add_tree(tar: tarfile.TarFile, root: Path, name: str, settings: Settings) -> None:
    if root.is_dir():
        for path in _files(root, settings):
            tar.add(path, arcname=f"{name}/{path.relative_to(root).as_posix()}", recursive=False)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(datetime.now(UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))


def create_backup(settings: Settings, output: Path, *, include_key: bool = False) -> Manifest:
    """Snapshot the database and copy the files into `output` (written atomically)."""
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    if settings.vector_store == "qdrant":
        notes.append(
            "vectors live in Qdrant and are not in this archive: snapshot Qdrant, or "
            "re-index the knowledge base after restoring"
        )
    if settings.storage == "s3":
        notes.append(
            f"media and knowledge-base uploads live in the S3 bucket {settings.s3_bucket!r} "
            "and are not in this archive: keep them with the bucket's versioning or replication"
        )
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".aimy-backup-") as tmp:
        sqlite = db.sqlite_path(settings)
        if sqlite is not None:
            dump, member = Path(tmp) / SQLITE_MEMBER, SQLITE_MEMBER
            db.snapshot_sqlite(sqlite, dump)
            version = db.schema_version_sqlite(dump)
        else:
            dump, member = Path(tmp) / PG_MEMBER, PG_MEMBER
            db.dump_postgres(settings.db_url, dump)
            version = db.schema_version_postgres(settings.db_url)
        key = current_master_key(settings) if include_key else None
        if include_key and key is None:
            raise BackupError("--include-key: no master key is configured for this data dir")
        manifest = Manifest(
            app_version=__version__,
            schema_version=version,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            database="sqlite" if sqlite is not None else "postgres",
            vector_store=settings.vector_store,
            includes_key=key is not None,
            notes=tuple(notes),
        )
        partial = Path(tmp) / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as tar:
            _add_bytes(tar, MANIFEST, msgspec.json.format(msgspec.json.encode(manifest)))
            tar.add(dump, arcname=member)
            _add_tree(tar, settings.data_dir, DATA, settings)
            if settings.storage == "local":  # S3 objects stay in their bucket (see notes)
                _add_tree(tar, settings.media_path, MEDIA, settings)
            _add_tree(tar, settings.sessions_path, SESSIONS, settings)
            if key is not None:
                _add_bytes(tar, KEY_MEMBER, base64.b64encode(key))
        partial.chmod(0o600)  # secrets.enc and sealed credentials are inside
        partial.replace(output)
    return manifest


def read_manifest(archive: Path) -> Manifest:
    with tarfile.open(archive, "r:gz") as tar:
        try:
            raw = tar.extractfile(MANIFEST)
        except KeyError:
            raw = None
        if raw is None:
            raise BackupError(f"{archive} is not an Aimywhatsapp backup (no {MANIFEST})")
        return msgspec.json.decode(raw.read(), type=Manifest)


def restore_backup(settings: Settings, archive: Path, *, force: bool = False) -> Manifest:
    """Unpack `archive` onto `settings`' data dir (empty unless `force`)."""
    manifest = read_manifest(archive)
    if manifest.schema_version > latest_version():
        raise BackupError(
            f"the backup has schema {manifest.schema_version}, newer than this version "
            f"({latest_version()}): install Aimywhatsapp {manifest.app_version} or later"
        )
    sqlite = db.sqlite_path(settings)
    if (manifest.database == "sqlite") != (sqlite is not None):
        raise BackupError(
            f"the backup holds a {manifest.database} database but this install uses "
            f"{'SQLite' if sqlite else 'Postgres'}: restore with the same database kind"
        )
    with target_lock(settings, force=force), tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(staging, filter="data")
        if (staging / KEY_MEMBER).exists():
            key = base64.b64decode((staging / KEY_MEMBER).read_bytes())
            try:
                install_master_key(settings, key)
            except ValueError as exc:
                raise BackupError(f"{exc}; set AIMY_MASTER_KEY to the backup's key") from exc
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        place_tree(staging / DATA, settings.data_dir)
        place_tree(staging / MEDIA, settings.media_path)
        place_tree(staging / SESSIONS, settings.sessions_path)
        if sqlite is not None:
            db.install_sqlite(staging / SQLITE_MEMBER, sqlite)
        else:
            db.restore_postgres(settings.db_url, staging / PG_MEMBER)
    shutil.rmtree(settings.data_dir / "ui-storage", ignore_errors=True)
    return manifest
