"""Distribution figures: binary size, cold start to health 200 (source, one-folder, one-file)
and idle RSS. Targets (issue 7): source ≤ 5 s, binary ≤ 2× source, idle RSS ≤ 300 MB.

Build first: `bash packaging/build.sh` and `AIMY_DIST_DIR=dist bash packaging/build.sh
--onefile`, then `.venv/bin/python -m tests.bench.bench_distribution [--runs N]`. Each run
starts on a fresh data dir (so it includes creating the schema). "Cold" means a new process;
the OS page cache is dropped first when we may (root, /proc/sys/vm/drop_caches writable).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

from tests.conftest import TEST_MASTER_KEY
from tests.e2e.conftest import ROOT, free_port

FOLDER = ROOT / "dist" / "aimywhatsapp" / "aimywhatsapp"
ONEFILE = ROOT / "dist" / "aimywhatsapp-onefile"


def drop_caches() -> bool:
    with contextlib.suppress(OSError):
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    return False


def tree_rss_mb(pid: int) -> float:
    proc = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)]) / 2**20


def one_start(cmd: list[str], idle_s: float) -> tuple[float, float]:
    """Seconds from spawn to the first health 200, and RSS after `idle_s` of idling."""
    env = {**os.environ, "AIMY_MASTER_KEY": TEST_MASTER_KEY, "AIMY_SECRETS_BACKEND": "file"}
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        url = f"http://127.0.0.1:{port}/api/v1/health"
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [*cmd, "serve", "--headless", "--port", str(port), "--data-dir", f"{tmp}/data"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"{cmd} exited with {proc.returncode}")
                with contextlib.suppress(httpx.TransportError):
                    if httpx.get(url, timeout=1).status_code == 200:
                        break
                time.sleep(0.02)
            ready = time.perf_counter() - t0
            time.sleep(idle_s)
            return ready, tree_rss_mb(proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 2**20
    files = [f for f in path.rglob("*") if f.is_file() and not f.is_symlink()]
    return sum(f.stat().st_size for f in files) / 2**20


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--idle", type=float, default=5.0)
    ap.add_argument("--folder", type=Path, default=FOLDER)
    ap.add_argument("--onefile", type=Path, default=ONEFILE)
    args = ap.parse_args()
    targets = {"source": [sys.executable, "-m", "app"]}
    for name, path in (("one-folder", args.folder), ("one-file", args.onefile)):
        if path.exists():
            targets[name] = [str(path)]
            shown = path.parent if name == "one-folder" else path
            print(f"{name}: {shown} {size_mb(shown):.0f} MB")
        else:
            print(f"{name}: not built ({path})")
    modes = ["cold", "warm"] if drop_caches() else ["warm"]
    print(f"runs: {args.runs}; cold = OS page cache dropped first, warm = files cached")
    for mode in modes:
        for name, cmd in targets.items():
            if mode == "warm":
                one_start(cmd, 0)  # fill the page cache
            starts, rss = [], []
            for _ in range(args.runs):
                if mode == "cold":
                    drop_caches()
                ready, mb = one_start(cmd, args.idle)
                starts.append(ready)
                rss.append(mb)
            print(
                f"{mode} {name:10s} start to health 200: median "
                f"{statistics.median(starts):.2f} s (min {min(starts):.2f}, max {max(starts):.2f});"
                f" idle RSS {max(rss):.0f} MB"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
