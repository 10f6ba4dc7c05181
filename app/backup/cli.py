"""`aimywhatsapp backup` and `aimywhatsapp restore`: argument parsing and messages."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from app.backup.archive import create_backup, restore_backup
from app.backup.manifest import BackupError
from app.settings import Settings


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    b = sub.add_parser("backup", help="write one .tar.gz of the database and files")
    b.add_argument("--data-dir", dest="data_dir")
    b.add_argument("-o", "--output", help="archive path (default: ./aimywhatsapp-<time>.tar.gz)")
    b.add_argument(
        "--include-key",
        action="store_true",
        help="also store the master key (then the archive alone unlocks WhatsApp logins and "
        "API keys: keep it as safe as the key)",
    )
    r = sub.add_parser("restore", help="restore a backup onto an empty data dir")
    r.add_argument("archive")
    r.add_argument("--data-dir", dest="data_dir")
    r.add_argument("--force", action="store_true", help="replace data already in the data dir")


def run(command: str, args: argparse.Namespace, settings: Settings) -> int:
    try:
        if command == "backup":
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
            out = Path(args.output or f"aimywhatsapp-{stamp}.tar.gz")
            m = create_backup(settings, out, include_key=args.include_key)
            print(f"wrote {out} (schema {m.schema_version}, {m.database})")
            if not m.includes_key:
                print(
                    "the master key is not in the archive: restoring needs the same key "
                    "(AIMY_MASTER_KEY, the key file, or the OS keyring entry)"
                )
        else:
            m = restore_backup(settings, Path(args.archive), force=args.force)
            print(
                f"restored {args.archive} (made {m.created_at} by {m.app_version}, schema "
                f"{m.schema_version}) into {settings.data_dir}; start the app to finish "
                "any pending migrations"
            )
        for note in m.notes:
            print(f"note: {note}")
    except BackupError as exc:
        print(f"aimywhatsapp {command}: {exc}")
        return 1
    return 0
