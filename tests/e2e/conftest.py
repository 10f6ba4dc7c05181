"""The real process: `python -m app serve --headless` on a free port, as a user would run it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_MASTER_KEY

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Process:
    proc: subprocess.Popen[str]
    url: str
    data_dir: Path
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout=timeout)


def start(
    data_dir: Path,
    *extra: str,
    command: list[str] | None = None,
    env: dict[str, str] | None = None,
    headless: bool = True,
    cwd: Path = ROOT,
) -> Process:
    """Launch the server and wait until its health check answers."""
    process = launch(data_dir, *extra, command=command, env=env, headless=headless, cwd=cwd)
    proc, url, log_path = process.proc, process.url, process.log_path
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log_path.read_text()}")
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"server did not become healthy:\n{log_path.read_text()}")


def launch(
    data_dir: Path,
    *extra: str,
    command: list[str] | None = None,
    env: dict[str, str] | None = None,
    headless: bool = True,
    cwd: Path = ROOT,
) -> Process:
    """Start the server process on a free port and return at once (`cwd`: the checkout whose
    code runs — a benchmark's "before" variant runs another one)."""
    port = free_port()
    log_path = data_dir.parent / f"server-{port}.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    if env is None:
        env = {**os.environ, "AIMY_MASTER_KEY": TEST_MASTER_KEY, "AIMY_SECRETS_BACKEND": "file"}
    cmd = command or [sys.executable, "-m", "app", "serve"]
    mode = ["--headless"] if headless else []
    proc = subprocess.Popen(
        [*cmd, *mode, "--port", str(port), "--data-dir", str(data_dir), *extra],
        cwd=cwd,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
        text=True,
    )
    return Process(proc, f"http://127.0.0.1:{port}", data_dir, log_path)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Process]:
    p = start(tmp_path_factory.mktemp("e2e") / "data")
    yield p
    p.stop()
