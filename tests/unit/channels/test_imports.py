"""Importing neonize must not reach the network (its loader downloads on a version mismatch);
the app side must not import neonize at all."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

NO_NETWORK = """
import socket
def refuse(*a, **k):
    raise AssertionError("network access during import")
socket.socket.connect = refuse
socket.create_connection = refuse
import neonize
from neonize._binder import gocode
assert gocode.GetVersion().decode() == neonize.__version__
import app.channels.neonize_worker.backend
print("ok")
"""

APP_SIDE = """
import sys
import app.channels, app.channels.normalize, app.channels.neonize_channel
assert not [m for m in sys.modules if m.startswith("neonize")], "app side imported neonize"
print("ok")
"""


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_importing_neonize_stays_offline() -> None:
    assert _run(NO_NETWORK) == "ok"


def test_app_process_never_loads_neonize() -> None:
    assert _run(APP_SIDE) == "ok"
