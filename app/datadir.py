"""The data dir is private to the account that runs the app: files 0600, folders 0700.

It holds the database (every message and contact), uploads, WhatsApp media, sealed sessions,
models and the encrypted secrets. Setting the process umask once, before anything is created,
covers every writer — our own code and libraries alike (SQLite's -wal/-shm, LanceDB's files,
NiceGUI's storage) — which per-call chmods could never all reach. The data dir itself is also
closed (0700), so files an older version left group- or world-readable can't be reached either.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PRIVATE_UMASK = 0o077


def make_private(data_dir: Path, *elsewhere: Path) -> None:
    """Set the private umask and create (or close) the data dir; call before writing to it.
    `elsewhere`: folders settings put outside it (STORAGE_PATH, WA_SESSION_PATH), closed too."""
    os.umask(PRIVATE_UMASK)
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    for folder in (data_dir, *elsewhere):
        with contextlib.suppress(OSError):  # not ours (a mounted volume's root), or not there
            os.chmod(folder, 0o700)
