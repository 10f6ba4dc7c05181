"""The data dir's instance lock: exclusive, published URL, released with the holder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from app.desktop import InstanceLock, free_port, port_free


def test_one_holder_at_a_time_and_the_url_is_found(tmp_path: Path) -> None:
    first, second = InstanceLock(tmp_path), InstanceLock(tmp_path)
    assert first.acquire()
    first.publish("http://127.0.0.1:8321")
    assert not second.acquire()
    assert second.holder_url() == "http://127.0.0.1:8321"
    first.release()
    assert second.holder_url() is None
    assert second.acquire()
    second.release()


def test_a_dead_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    """The OS drops the lock with the process: a crash never blocks the next launch."""
    code = (
        "import os, sys; from pathlib import Path; from app.desktop import InstanceLock; "
        "l = InstanceLock(Path(sys.argv[1])); assert l.acquire(); l.publish('http://x'); "
        "os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, cwd=Path.cwd())
    lock = InstanceLock(tmp_path)
    assert lock.holder_url() == "http://x"  # stale info, but the lock itself is free
    assert lock.acquire()
    lock.publish("http://y")
    assert lock.holder_url() == "http://y"
    lock.release()


def test_free_port_is_free() -> None:
    port = free_port("127.0.0.1")
    assert port_free("127.0.0.1", port)
