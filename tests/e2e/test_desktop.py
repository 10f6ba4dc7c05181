"""Desktop mode: one instance per data dir, the second launch opens the first, Quit in the menu."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import TEST_MASTER_KEY
from tests.e2e.accounts import PASSWORD, register
from tests.e2e.browser import browser
from tests.e2e.conftest import ROOT, Process, free_port, start


def desktop_env(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A fake browser (webbrowser honours $BROWSER) that writes down every URL it is given."""
    opened = tmp_path / "opened.txt"
    script = tmp_path / "fake-browser"
    script.write_text(f'#!/bin/sh\necho "$1" >> {opened}\n')
    script.chmod(0o755)
    env = {
        **os.environ,
        "AIMY_MASTER_KEY": TEST_MASTER_KEY,
        "AIMY_SECRETS_BACKEND": "file",
        "BROWSER": str(script),
    }
    return env, opened


def wait_lines(path: Path, n: int, timeout: float = 20) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = path.read_text().split() if path.exists() else []
        if len(lines) >= n:
            return lines
        time.sleep(0.1)
    raise AssertionError(f"{path} has fewer than {n} lines")


def launch(data_dir: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "serve", "--data-dir", str(data_dir), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_second_desktop_launch_opens_the_running_one(tmp_path: Path) -> None:
    env, opened = desktop_env(tmp_path)
    first = start(tmp_path / "data", env=env, headless=False)
    try:
        assert wait_lines(opened, 1) == [first.url]  # the first launch opened its dashboard
        second = launch(first.data_dir, env, "--port", str(free_port()))
        assert second.returncode == 0, second.stdout + second.stderr
        assert "already running" in second.stdout
        assert wait_lines(opened, 2) == [first.url, first.url]
        assert first.proc.poll() is None
    finally:
        assert first.stop() == 0
    assert not (first.data_dir / "instance.json").exists()


def test_second_headless_launch_on_the_same_data_dir_refuses(server: Process) -> None:
    env = {**os.environ, "AIMY_MASTER_KEY": TEST_MASTER_KEY, "AIMY_SECRETS_BACKEND": "file"}
    again = launch(server.data_dir, env, "--headless", "--port", str(free_port()))
    assert again.returncode == 1
    assert "another instance" in again.stderr and server.url in again.stderr


def test_desktop_mode_listens_on_loopback_only(tmp_path: Path) -> None:
    env, _ = desktop_env(tmp_path)
    r = launch(tmp_path / "data", env, "--host", "0.0.0.0")
    assert r.returncode == 2 and "--headless" in r.stderr


def test_desktop_takes_another_port_when_its_port_is_busy(tmp_path: Path) -> None:
    import socket

    env, opened = desktop_env(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "app",
                "serve",
                "--port",
                str(busy),
                "--data-dir",
                str(tmp_path / "data"),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = wait_lines(opened, 1, timeout=60)[0]
            assert url.startswith("http://127.0.0.1:") and not url.endswith(f":{busy}")
        finally:
            proc.terminate()
            assert proc.wait(timeout=20) == 0


def _sign_in(page, url: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard")


def _open_user_menu(page) -> None:  # type: ignore[no-untyped-def]
    page.locator("button").filter(has_text="account_circle").first.click()
    page.get_by_text("Sign out").wait_for()


@pytest.mark.e2e
def test_quit_from_the_user_menu_stops_the_desktop_app_cleanly(tmp_path: Path) -> None:
    env, _ = desktop_env(tmp_path)
    p = start(tmp_path / "data", env=env, headless=False)
    try:
        register(p.url, "desk@example.com")
        with browser() as b:
            page = b.new_page()  # type: ignore[attr-defined]
            _sign_in(page, p.url, "desk@example.com")
            _open_user_menu(page)
            page.get_by_text("Quit Aimywhatsapp").click()
            assert p.proc.wait(timeout=20) == 0
    finally:
        p.stop()
    assert "quit requested from the dashboard" in p.log()
    assert "stopped cleanly" in p.log()


@pytest.mark.e2e
def test_headless_menu_has_no_quit(server: Process) -> None:
    register(server.url, "srv@example.com")
    with browser() as b:
        page = b.new_page()  # type: ignore[attr-defined]
        _sign_in(page, server.url, "srv@example.com")
        _open_user_menu(page)
        assert page.get_by_text("Quit Aimywhatsapp").count() == 0


def test_sigterm_exits_even_with_a_dashboard_websocket_open(tmp_path: Path) -> None:
    """An open tab keeps a websocket; stopping must not wait for the user to close it."""
    import socket

    p = start(tmp_path / "data")
    host, port = p.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as ws:
        ws.sendall(
            (
                "GET /_nicegui_ws/socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                f"Host: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        assert ws.recv(4096).startswith(b"HTTP/1.1 101")
        t0 = time.monotonic()
        assert p.stop(timeout=15) == 0
        assert time.monotonic() - t0 < 10
    assert "stopped cleanly" in p.log()
