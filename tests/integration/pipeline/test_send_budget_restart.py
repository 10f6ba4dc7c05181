"""The send budget survives a SIGKILL (issue 15.1): the crash test found the window reset on
restart. A real process sends its 10 replies of the minute and is killed; the next process,
started at once, sends nothing more within that minute — until the budget is raised, which
proves its dispatcher was alive and only the remembered window held the rest back."""

from __future__ import annotations

import signal
import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import start

pytestmark = pytest.mark.slow
LIMIT = 10


def _sent(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "aimywhatsapp.db") as db:
        return db.execute("SELECT count(*) FROM outbox WHERE status = 'SENT'").fetchone()[0]


def _wait(check, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_the_minute_window_survives_a_sigkill(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    for key, value in {
        "AIMY_AUTO_REPLY": "echo",
        "AIMY_TYPING_MS_PER_CHAR": "0",
        "AIMY_CHAT_SPACING_S": "0",
        "AIMY_SEND_JITTER_S": "0",
        "AIMY_SEND_RATE_PER_MIN": str(LIMIT),
    }.items():
        monkeypatch.setenv(key, value)
    first = start(data)
    try:
        auth = httpx.post(
            f"{first.url}/api/v1/auth/register",
            json={"email": "k@example.com", "password": "Secret-123-x", "name": "K",
                  "workspaceName": "W"},
        ).json()  # fmt: skip
        h = {"Authorization": f"Bearer {auth['accessToken']}"}
        session = httpx.post(
            f"{first.url}/api/v1/whatsapp/sessions",
            json={"accountId": "sim", "channel": "simulator"},
            headers=h,
        ).json()
        for n in range(15):
            r = httpx.post(
                f"{first.url}/api/v1/whatsapp/sessions/{session['id']}/simulate",
                json={"from": f"+49176{n:08d}", "text": f"hello {n}"},
                headers=h,
            )
            assert r.status_code == 202
        _wait(lambda: _sent(data) == LIMIT)
        time.sleep(0.5)
        assert _sent(data) == LIMIT
    finally:
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(10)

    second = start(data)
    try:
        login = httpx.post(
            f"{second.url}/api/v1/auth/login",
            json={"email": "k@example.com", "password": "Secret-123-x"},
        ).json()
        h = {"Authorization": f"Bearer {login['accessToken']}"}
        budget = f"{second.url}/api/v1/whatsapp/sessions/{session['id']}/budget"
        time.sleep(3)  # many dispatcher passes, still within the minute of the first sends
        assert _sent(data) == LIMIT
        view = httpx.get(budget, headers=h).json()
        assert view["sentLastMinute"] == LIMIT and view["sentToday"] == LIMIT
        r = httpx.patch(budget, json={"perMinute": 2 * LIMIT}, headers=h)
        assert r.status_code == 200, r.text
        _wait(lambda: _sent(data) == 15)
    finally:
        assert second.stop() == 0
