"""Foundation figures: cold start to health 200, idle RSS, and /api/v1/health requests/s
through the full app versus a bare Litestar app, both on granian, in the same run (ratio).

Run: `.venv/bin/python -m tests.bench.bench_foundation` (uses `wrk` when installed:
`apt-get install wrk`; otherwise a slower httpx load generator, which it says).
"""

from __future__ import annotations

import asyncio
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

from tests.e2e.conftest import ROOT, free_port, start

DURATION_S = 10


def cold_starts(n: int = 3) -> tuple[list[float], float]:
    times, rss = [], 0.0
    for _ in range(n):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            p = start(Path(tmp) / "data")
            times.append(time.perf_counter() - t0)
            time.sleep(3)  # let it settle: scheduler started, imports done
            proc = psutil.Process(p.proc.pid)
            rss = max(rss, sum(c.memory_info().rss for c in [proc, *proc.children(True)]) / 2**20)
            p.stop()
    return times, rss


def load(url: str) -> float:
    if shutil.which("wrk"):
        out = subprocess.run(
            ["wrk", "-t1", "-c32", f"-d{DURATION_S}s", url], capture_output=True, text=True
        ).stdout
        return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return asyncio.run(_httpx_load(url))


async def _httpx_load(url: str) -> float:
    count = 0
    deadline = time.monotonic() + DURATION_S
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=32)) as client:

        async def worker() -> None:
            nonlocal count
            while time.monotonic() < deadline:
                await client.get(url)
                count += 1

        await asyncio.gather(*(worker() for _ in range(32)))
    return count / DURATION_S


def bare_server() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "asgi",
            "--port",
            str(port),
            "--no-ws",
            "tests.bench.bare_app:app",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/api/v1/health"
    for _ in range(100):
        try:
            if httpx.get(url).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    return proc, url


def main() -> None:
    times, rss = cold_starts()
    print(
        f"cold start to health 200: median {statistics.median(times):.2f} s "
        f"(runs: {', '.join(f'{t:.2f}' for t in times)})"
    )
    print(f"idle RSS after start: {rss:.0f} MiB")
    generator = "wrk -t1 -c32" if shutil.which("wrk") else "httpx (32 concurrent)"
    with tempfile.TemporaryDirectory() as tmp:
        full = start(Path(tmp) / "data")
        bare, bare_url = bare_server()
        try:
            full_rps = load(f"{full.url}/api/v1/health")
            bare_rps = load(bare_url)
        finally:
            full.stop()
            bare.terminate()
            bare.wait()
    print(f"/api/v1/health with {generator}, {DURATION_S} s each:")
    print(f"  full app   {full_rps:8.0f} req/s (auth middleware, limiter, headers, DB ping)")
    print(f"  bare app   {bare_rps:8.0f} req/s")
    print(f"  ratio full/bare = {full_rps / bare_rps:.2f}")


if __name__ == "__main__":
    main()
