"""Runs waiting on a question and on a delay survive SIGKILL and a restart, and continue
exactly once (issue 14's done-when).

Process 1 starts two runs and is killed (SIGKILL) while one waits for the contact's answer and
the other waits on a 3-second delay. Process 2 finds the delay due on start (the wake-up is a
row, re-armed from the table) and sends what follows it once; the contact then answers and the
question's run goes on once. Process 3 — after another SIGKILL — must send nothing new. The
database is the witness: every message and outbox row is counted there.
"""

from __future__ import annotations

import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.accounts import login, simulator_owner
from tests.e2e.conftest import Process, start

pytestmark = pytest.mark.slow
ASKED = "+4917655550001"
WAITED = "+4917655550002"


def _db(data_dir: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(data_dir / "aimywhatsapp.db") as db:
        return db.execute(sql, args).fetchall()


def _sent(data_dir: Path, text: str) -> int:
    rows = _db(
        data_dir,
        "SELECT count(*) FROM messages m JOIN outbox o ON o.message_id = m.id "
        "WHERE m.content = ? AND o.status = 'SENT'",
        text,
    )
    return int(rows[0][0])


def _wait(check, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError("timed out")


def _kill(p: Process) -> None:
    p.proc.send_signal(signal.SIGKILL)
    p.proc.wait(10)


def _flow(url: str, h: dict[str, str], name: str, nodes: list[dict], edges: list[dict]) -> str:
    body = {"name": name, "triggerType": "API", "isActive": True, "nodes": nodes, "edges": edges}
    r = httpx.post(f"{url}/api/v1/flows", json=body, headers=h)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _edges(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"id": f"{a}-{b}", "source": a, "target": b} for a, b in pairs]


def test_question_and_delay_waits_survive_sigkill_and_continue_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    for key, value in {
        "AIMY_AUTO_REPLY": "echo",
        "AIMY_TYPING_MS_PER_CHAR": "0",
        "AIMY_CHAT_SPACING_S": "0",
        "AIMY_SEND_JITTER_S": "0",
        "AIMY_FLOW_TICK_S": "0.2",
    }.items():
        monkeypatch.setenv(key, value)
    first = start(data)
    try:
        h, session = simulator_owner(first.url, "f@example.com")
        question = _flow(
            first.url,
            h,
            "Ask",
            [
                {"id": "t", "type": "trigger", "data": {}},
                {"id": "q", "type": "question", "data": {"text": "Q?", "variableName": "a"}},
                {"id": "m", "type": "message", "data": {"text": "got {{vars.a}}"}},
            ],
            _edges(("t", "q"), ("q", "m")),
        )
        delay = _flow(
            first.url,
            h,
            "Wait",
            [
                {"id": "t", "type": "trigger", "data": {}},
                {"id": "b", "type": "message", "data": {"text": "before"}},
                {"id": "d", "type": "delay", "data": {"amount": 0.05, "unit": "minutes"}},
                {"id": "a", "type": "message", "data": {"text": "after"}},
            ],
            _edges(("t", "b"), ("b", "d"), ("d", "a")),
        )
        for flow, phone in ((question, ASKED), (delay, WAITED)):
            r = httpx.post(
                f"{first.url}/api/v1/flows/{flow}/trigger", json={"phone": phone}, headers=h
            )
            assert r.status_code == 202, r.text
        _wait(lambda: _sent(data, "Q?") == 1 and _sent(data, "before") == 1)
    finally:
        _kill(first)  # within the 3-second delay, while the question waits
    assert _sent(data, "after") == 0
    waiting = _db(data, "SELECT waiting_for FROM flow_runs WHERE status = 'ACTIVE' ORDER BY 1")
    assert waiting == [("REPLY",), ("WAKE",)]

    second = start(data)
    try:
        _wait(lambda: _sent(data, "after") == 1)  # due while down: woken on start
        h = {"Authorization": f"Bearer {login(second.url, 'f@example.com')}"}
        r = httpx.post(
            f"{second.url}/api/v1/whatsapp/sessions/{session}/simulate",
            json={"from": ASKED, "text": "hello"},
            headers=h,
        )
        assert r.status_code == 202
        _wait(lambda: _sent(data, "got hello") == 1)
        _wait(lambda: _db(data, "SELECT count(*) FROM flow_runs WHERE status = 'COMPLETED'")
              == [(2,)])  # fmt: skip
    finally:
        _kill(second)

    third = start(data)
    try:
        time.sleep(2.0)  # ten wake-up ticks, many dispatcher passes
        for text in ("Q?", "before", "after", "got hello"):
            assert _sent(data, text) == 1, text
        outbound = _db(data, "SELECT count(*) FROM messages WHERE direction = 'OUTBOUND'")
        assert outbound == [(4,)]
        stats = _db(data, "SELECT total_entered, total_completed, total_dropped FROM flow_stats")
        assert sorted(stats) == [(1, 1, 0), (1, 1, 0)]
    finally:
        assert third.stop() == 0
