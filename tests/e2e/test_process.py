"""One process serves the dashboard and the API, migrates on start, stops cleanly on signals."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import ROOT, start


def test_serves_dashboard_and_api_and_stops_on_sigterm(tmp_path: Path) -> None:
    p = start(tmp_path / "data")
    health = httpx.get(f"{p.url}/api/v1/health").json()
    assert health["status"] == "ok" and health["database"] == "ok"
    first = httpx.get(f"{p.url}/register")  # a fresh install: nobody to sign in yet
    assert first.status_code == 200 and "Create the owner account" in first.text
    assert "frame-ancestors 'none'" in first.headers["content-security-policy"]
    for path in ("/", "/login"):
        root = httpx.get(f"{p.url}{path}", follow_redirects=False)
        assert root.status_code in (302, 307) and root.headers["location"].endswith("/register")
    r = httpx.post(
        f"{p.url}/api/v1/auth/register",
        json={
            "email": "e2e@example.com",
            "password": "Keep-me-signed-in-123",
            "name": "E",
            "workspaceName": "W",
        },
    )
    assert r.status_code == 201
    login = httpx.get(f"{p.url}/login")
    assert login.status_code == 200 and "Sign in" in login.text
    assert (p.data_dir / "aimywhatsapp.db").exists()
    assert p.stop(signal.SIGTERM) == 0
    assert "stopped cleanly" in p.log()


def test_sigint_also_stops_cleanly_and_data_survives_restart(tmp_path: Path) -> None:
    p = start(tmp_path / "data")
    r = httpx.post(
        f"{p.url}/api/v1/auth/register",
        json={
            "email": "keep@example.com",
            "password": "Keep-me-signed-in-123",
            "name": "K",
            "workspaceName": "W",
        },
    )
    assert r.status_code == 201
    assert p.stop(signal.SIGINT) == 0
    assert "stopped cleanly" in p.log()
    # same data dir: same JWT keys, same users; and `serve` is the default command
    again = start(tmp_path / "data", command=[sys.executable, "-m", "app"])
    try:
        login = httpx.post(
            f"{again.url}/api/v1/auth/login",
            json={"email": "keep@example.com", "password": "Keep-me-signed-in-123"},
        )
        assert login.status_code == 200
        me = httpx.get(
            f"{again.url}/api/v1/auth/me",
            headers={"Authorization": f"Bearer {r.json()['accessToken']}"},
        )
        assert me.status_code == 200  # a token from before the restart is still valid
    finally:
        assert again.stop() == 0


def test_migrate_command(tmp_path: Path) -> None:
    args = [sys.executable, "-m", "app", "migrate", "--data-dir", str(tmp_path)]
    first = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "m0001_initial" in first.stdout
    second = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "up to date" in second.stdout


def test_refuses_public_bind_without_master_key(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "serve",
            "--headless",
            "--host",
            "0.0.0.0",
            "--data-dir",
            str(tmp_path),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode != 0 and "AIMY_MASTER_KEY" in r.stderr


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Quick start", 1)[1].split("```", 2)[1]
    return [ln for ln in block.splitlines()[1:] if ln.strip() and not ln.startswith("#")]


def test_readme_quick_start_is_two_commands_and_ci_runs_the_second() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2, commands
    ci = (ROOT / ".ci" / "run").read_text()
    assert commands[1].strip() in ci


@pytest.mark.slow
def test_readme_start_command_serves(tmp_path: Path) -> None:
    """Run the start command's last step (the install step is what this suite was installed by)."""
    launcher = re.split(r"&&", quick_start_commands()[0])[-1].split()
    exe = ROOT / launcher[0]
    if not exe.exists():
        pytest.skip(f"{launcher[0]} is not installed here (it is in CI's clean clone)")
    p = start(tmp_path / "data", command=[str(exe), *launcher[1:]])
    try:
        # a fresh install sends /login on to creating the owner account (issue 13.13)
        assert httpx.get(f"{p.url}/login", follow_redirects=True).status_code == 200
    finally:
        assert p.stop() == 0
