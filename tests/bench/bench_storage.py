"""Media storage (issue 18 item 6): the local folder and an S3-compatible bucket side by side.

    /work/main/.venv/bin/python -m tests.bench.bench_storage [mb=64]

One `mb` file through each store: put (streamed from a file), a streamed read, the temporary
copy a channel send uses (`local_file`), a 64-byte peek (what the inbox's media lookup costs),
a 1 MB range from the middle (a video's seek: `stream(span=…)`), 50 concurrent sends of one
broadcast with a copy each (as before) and through `SharedCopies` (one copy for all), and
delete. S3 is moto's server on loopback (`moto_server`, its own process on the same two
cores), so its figures are an upper bound on the adapter's own overhead, not a network
measurement. Each streamed read also reports the peak of this process's Python allocations
(tracemalloc) against the file's size: neither adapter holds the file in memory.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from app.settings import load_settings
from app.storage import Storage, build_storage
from app.storage.shared import SharedCopies

KEY_ID, SECRET = "bench", "bench"


async def _one(store: Storage, source: Path, mb: int) -> str:
    key = "w1/big.bin"
    began = time.perf_counter()
    with source.open("rb") as f:
        await store.put_stream(key, f)
    put = time.perf_counter() - began
    tracemalloc.start()
    began = time.perf_counter()
    total = 0
    async for piece in store.stream(key):
        total += len(piece)
    read = time.perf_counter() - began
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert total == mb * 2**20
    began = time.perf_counter()
    async with store.local_file(key) as path:
        assert path.stat().st_size == total
    copy = time.perf_counter() - began
    began = time.perf_counter()
    for _ in range(20):
        await store.peek(key, 64)
    peek = (time.perf_counter() - began) / 20
    middle = total // 2
    began = time.perf_counter()
    for _ in range(5):
        got = [p async for p in store.stream(key, span=(middle, middle + 2**20 - 1))]
        assert sum(map(len, got)) == 2**20
    seek = (time.perf_counter() - began) / 5
    copies = SharedCopies(store)

    async def send(shared: bool) -> None:
        async with (copies if shared else store).local_file(key) as path:
            assert path.stat().st_size == total

    began = time.perf_counter()
    await asyncio.gather(*(send(False) for _ in range(50)))
    each = time.perf_counter() - began
    began = time.perf_counter()
    await asyncio.gather(*(send(True) for _ in range(50)))
    shared = time.perf_counter() - began
    await copies.clear()
    await store.delete(key)
    return (
        f"| {store.kind} | {mb / put:.0f} MB/s | {mb / read:.0f} MB/s | {peak / 2**20:.1f} MB "
        f"| {copy:.2f} s | {peek * 1000:.1f} ms | {seek * 1000:.1f} ms "
        f"| {each:.2f} s | {shared:.2f} s |"
    )


async def main(mb: int) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    moto = Path(sys.executable).parent / "moto_server"
    server = subprocess.Popen(
        [str(moto), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await _serve_bench(f"http://127.0.0.1:{port}", mb)
    finally:
        server.terminate()
        server.wait(10)


async def _serve_bench(endpoint: str, mb: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "source.bin"
        with source.open("wb") as f:
            for _ in range(mb):
                f.write(os.urandom(2**20))
        s3 = {
            "AIMY_STORAGE": "s3",
            "AIMY_S3_ENDPOINT": endpoint,
            "AIMY_S3_BUCKET": "bench",
            "AIMY_S3_REGION": "us-east-1",
            "AIMY_S3_ACCESS_KEY_ID": KEY_ID,
            "AIMY_S3_SECRET_ACCESS_KEY": SECRET,
        }
        local = build_storage(load_settings(env={"AIMY_DATA_DIR": f"{tmp}/local"}))
        remote = build_storage(load_settings(env={"AIMY_DATA_DIR": f"{tmp}/s3", **s3}))
        for _ in range(100):  # the server starting
            try:
                remote._s3.create_bucket(Bucket="bench")  # type: ignore[attr-defined]
                break
            except Exception:
                await asyncio.sleep(0.1)
        print(f"{mb} MB file; load average {os.getloadavg()[0]:.1f}\n")
        print("| store | put | streamed read | read's peak allocations | temporary copy | peek "
              "| 1 MB seek | 50 sends: a copy each | 50 sends: one shared copy |")  # fmt: skip
        print("|---|---|---|---|---|---|---|---|---|")
        for store in (local, remote):
            print(await _one(store, source, mb))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 64))
