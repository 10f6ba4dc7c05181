"""A throwaway Postgres cluster at its stock settings (`shared_buffers` 128 MB, 100
connections …) for the sizing benchmark — what the README's "2 GB VPS" recipe runs beside the
app — and its memory: the proportional set size (PSS) of all its processes, so the shared
buffers every backend maps are counted once, not once per backend as RSS would.

Needs Debian's postgresql binaries (`.ci/postgres.sh` installs them); run as root it starts the
cluster as the `postgres` user.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def private_postgres() -> Iterator[tuple[str, int]]:
    """(URL, postmaster pid) of a new cluster on loopback; removed afterwards."""
    bindir = sorted(Path("/usr/lib/postgresql").iterdir())[-1] / "bin"
    root = Path(tempfile.mkdtemp(prefix="aimy-pg-"))
    as_pg: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        as_pg = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", _free_port()

    def run(*cmd: object) -> None:
        subprocess.run([*as_pg, *map(str, cmd)], check=True, capture_output=True, cwd="/")

    try:
        run(bindir / "initdb", "-D", data, "-U", "postgres", "--auth=trust")
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1"
        run(bindir / "pg_ctl", "-D", data, "-w", "-o", options, "-l", root / "log", "start")
        run(bindir / "createdb", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "aimy")
        pid = int((data / "postmaster.pid").read_text().split()[0])
        yield f"postgresql://postgres@127.0.0.1:{port}/aimy", pid
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            run(bindir / "pg_ctl", "-D", data, "-m", "immediate", "stop")
        shutil.rmtree(root, ignore_errors=True)


def cluster_pss(pid: int) -> int:
    """Bytes: the PSS of the postmaster and every process it started."""
    try:
        procs = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            total += int(p.memory_full_info().pss)
    return total


@dataclass
class PssSampler:
    """Peaks between marks, sampled every 0.2 s: the cluster's PSS, and the cluster's PSS
    plus the app's process tree RSS at the same instant (`app` measures that tree)."""

    pid: int
    app: Callable[[], int]
    peak: int = 0
    both_peak: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while not self._stop.is_set():
            pss = cluster_pss(self.pid)
            self.peak = max(self.peak, pss)
            self.both_peak = max(self.both_peak, pss + self.app())
            time.sleep(0.2)

    def mark(self) -> tuple[int, int]:
        """(cluster peak, app + cluster peak) since the last mark; then starts again."""
        marked = (self.peak, self.both_peak)
        self.peak = self.both_peak = 0
        return marked

    def stop(self) -> None:
        self._stop.set()
