"""One running app per data dir, and a second launch that finds it instead of failing.

A double-clicked app gets launched twice all the time. The first launch holds an OS lock on
`instance.lock` in the data dir for its whole life and writes where it listens to
`instance.json`; a later launch that cannot take the lock reads that file and opens the browser
on the running app (desktop) or explains who holds the data dir (headless). The lock is
released by the OS when the process dies, so a crash never leaves a stale lock behind — only a
stale `instance.json`, which is overwritten by the next owner.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import sys
import threading
import time
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from app.container import Container

log = logging.getLogger(__name__)

LOCK_NAME = "instance.lock"
INFO_NAME = "instance.json"


class InstanceLock:
    """An exclusive, non-blocking OS lock on the data dir plus the URL of its holder."""

    def __init__(self, data_dir: Path) -> None:
        self.lock_path = data_dir / LOCK_NAME
        self.info_path = data_dir / INFO_NAME
        self._fh: IO[bytes] | None = None

    def acquire(self) -> bool:
        """Take the lock; False when another live process holds it."""
        fh = self.lock_path.open("a+b")
        try:
            _lock(fh)
        except OSError:
            fh.close()
            return False
        self._fh = fh
        return True

    def publish(self, url: str) -> None:
        """Tell later launches where we serve (written only by the lock's holder)."""
        tmp = self.info_path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"url": url, "pid": os.getpid()}))
        tmp.replace(self.info_path)

    def holder_url(self) -> str | None:
        """The URL the holder published, if any."""
        try:
            return str(json.loads(self.info_path.read_text())["url"])
        except (OSError, ValueError, KeyError):
            return None

    def release(self) -> None:
        if self._fh is None:
            return
        with contextlib.suppress(OSError):
            self.info_path.unlink()
        self._fh.close()  # closing the descriptor drops the lock
        self._fh = None


def _lock(fh: IO[bytes]) -> None:
    if os.name == "nt":
        import msvcrt

        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]  # Windows
    else:
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def open_browser(url: str) -> bool:
    """`webbrowser.open`, minus the frozen binary's library path.

    PyInstaller's bootloader points LD_LIBRARY_PATH at the bundled libraries (keeping the
    user's in LD_LIBRARY_PATH_ORIG); a browser started with it may load our copies and crash.
    """
    saved = os.environ.get("LD_LIBRARY_PATH")
    if getattr(sys, "frozen", False) and saved is not None:
        original = os.environ.get("LD_LIBRARY_PATH_ORIG")
        if original is None:
            del os.environ["LD_LIBRARY_PATH"]
        else:
            os.environ["LD_LIBRARY_PATH"] = original
    try:
        return webbrowser.open(url)
    finally:
        if saved is not None:
            os.environ["LD_LIBRARY_PATH"] = saved


def exit_when_stuck(container: Container, grace: float) -> None:
    """After a stop request, end the process once our own shutdown is done plus `grace` s.

    granian's graceful stop waits for every open connection, and a dashboard tab holds a
    websocket (and reconnects) for as long as it is open, so a desktop user who clicks Quit, or
    a server with a tab open somewhere, would otherwise never see the process exit. Only
    after the lifespan has stopped everything (database closed, workers stopped) is the
    process ended; the lingering connections are all that is cut.
    """

    def check() -> None:
        if not container.stopped:
            _timer(0.5, check)
            return
        log.info("connections still open %ss after stopping; closing them", grace)
        for handler in logging.getLogger().handlers:
            handler.flush()
        os._exit(0)

    _timer(grace, check)


def _timer(seconds: float, fn: Callable[[], None]) -> None:
    t = threading.Timer(seconds, fn)
    t.daemon = True  # a normal exit does not wait for it
    t.start()


def wait_healthy(url: str, timeout: float = 15.0) -> bool:
    """Poll /api/v1/health: the holder may still be starting when the second launch looks."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    return False


def port_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str) -> int:
    """Desktop fallback when the usual port is taken by some other program."""
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])
