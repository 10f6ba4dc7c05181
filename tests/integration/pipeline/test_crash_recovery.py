"""A real process killed with SIGKILL after the reply decision but before the send: after a
restart the reply is sent exactly once, and a further restart sends nothing again.

Process 1 runs with `AIMY_DISPATCH_STALL_S` (fault injection): the dispatcher claims the
outbox row and then waits before `channel.send`. We kill it there — the decision is durable,
nothing went out. Process 2 (no stall) restores the simulator session and the dispatcher
sends the row. Process 3 must send nothing. Sends are counted in each process's log (the
dispatcher logs every send once, with the outbox id) and in the database.

An agent's private note written while the reply is stalled (issue 17) must never be sent by
any of them: the re-claimed reply is the one send.
"""

from __future__ import annotations

import signal
import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.accounts import simulator_owner
from tests.e2e.conftest import start

pytestmark = pytest.mark.slow
NOTE = "internal: refund approved by Sam"


def _db(data_dir: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(data_dir / "aimywhatsapp.db") as db:
        return db.execute(sql).fetchall()


def _wait(check, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_sigkill_between_decision_and_send_sends_exactly_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    for key, value in {
        "AIMY_AUTO_REPLY": "echo",
        "AIMY_TYPING_MS_PER_CHAR": "0",
        "AIMY_CHAT_SPACING_S": "0",
        "AIMY_DISPATCH_STALL_S": "3600",
    }.items():
        monkeypatch.setenv(key, value)
    first = start(data)
    try:
        h, session = simulator_owner(first.url, "k@example.com")
        r = httpx.post(
            f"{first.url}/api/v1/whatsapp/sessions/{session}/simulate",
            json={"from": "+4917600000001", "text": "survive me"},
            headers=h,
        )
        assert r.status_code == 202
        _wait(lambda: "dispatch stall: holding outbox" in first.log())
        conv = httpx.get(f"{first.url}/api/v1/conversations", headers=h).json()["items"][0]["id"]
        r = httpx.post(
            f"{first.url}/api/v1/conversations/{conv}/notes", json={"text": NOTE}, headers=h
        )
        assert r.status_code == 201, r.text
    finally:
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(10)
    rows = _db(data, "SELECT id, status, wa_message_id FROM outbox")
    assert len(rows) == 1 and rows[0][1] == "SENDING" and rows[0][2] is None
    outbox_id = rows[0][0]
    assert f"sent outbox {outbox_id}" not in first.log()

    monkeypatch.setenv("AIMY_DISPATCH_STALL_S", "0")
    second = start(data)
    try:
        _wait(lambda: _db(data, "SELECT status FROM outbox") == [("SENT",)])
        reply = _db(
            data, "SELECT status, wa_message_id, content FROM messages WHERE direction='OUTBOUND'"
        )
        assert len(reply) == 1 and reply[0][1] and reply[0][2] == "survive me"
        assert second.log().count(f"sent outbox {outbox_id}") == 1
    finally:
        assert second.stop() == 0

    third = start(data)
    try:
        time.sleep(2.5)  # many dispatcher passes
        assert "sent outbox" not in third.log()
        assert _db(data, "SELECT count(*) FROM outbox WHERE status='SENT'") == [(1,)]
        assert _db(data, "SELECT count(*) FROM messages WHERE direction='OUTBOUND'") == [(1,)]
        assert _db(data, "SELECT count(*) FROM messages WHERE direction='INBOUND'") == [(1,)]
        assert _db(data, "SELECT count(*) FROM outbox WHERE payload LIKE '%refund approved%'") == [
            (0,)
        ]
        assert _db(data, "SELECT text FROM conversation_notes") == [(NOTE,)]
    finally:
        assert third.stop() == 0
