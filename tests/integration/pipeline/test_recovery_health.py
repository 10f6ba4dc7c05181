"""A real process restarted on a data dir with 300 unrouted messages: health answers within a
second of the port opening, says `recovering: n` while it works, every probe answers in
under a second, and every message is answered once — by the bot as installed (extractive
answers from an FAQ, e5 embeddings, LanceDB), whose model loads while recovery runs.
(tests/bench/bench_crash_recovery.py does the same with 1,200 messages and a real SIGKILL.)

The messages are stored with the app's own code on the stopped app's database (what a crash
leaves: rows whose 202 went out, no decision). The probe starts the moment the port accepts
a connection — granian listens before the app's start-up has run.
"""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest

from tests.conftest import TEST_MASTER_KEY
from tests.e2e.conftest import launch, start
from tests.integration.pipeline.crashed import persist_unrouted_in

pytestmark = pytest.mark.slow

MESSAGES = 300
BASE_ENV = {"AIMY_MASTER_KEY": TEST_MASTER_KEY, "AIMY_SECRETS_BACKEND": "file"}
ENV = {  # the bot as installed: no model (extractive answers), real e5 embeddings
    "AIMY_TYPING_MS_PER_CHAR": "0",
    "AIMY_CHAT_SPACING_S": "0",
    "AIMY_SEND_BUDGET": "false",  # no send budget: the test counts answers, not pacing
}


def _db(data_dir: Path, sql: str) -> int:
    with sqlite3.connect(data_dir / "aimywhatsapp.db") as db:
        return int(db.execute(sql).fetchone()[0])


def _settled(data_dir: Path) -> bool:
    """Nothing left to route, nothing left to send."""
    unrouted = _db(data_dir, "SELECT count(*) FROM messages WHERE routed_at IS NULL")
    unsent = _db(data_dir, "SELECT count(*) FROM outbox WHERE status != 'SENT'")
    return unrouted == 0 and unsent == 0


def _wait_for_port(url: str, timeout: float = 60) -> float:
    """The moment the port accepts a connection (monotonic)."""
    parsed = urlparse(url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((parsed.hostname, parsed.port), timeout=0.05):
                return time.monotonic()
        except OSError:
            time.sleep(0.005)
    raise AssertionError("the port never opened")


async def test_health_answers_at_once_while_recovery_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    data = tmp_path / "data"
    first = start(data, env={**os.environ, **BASE_ENV, "AIMY_EMBEDDING_MODE": "e5-native"})
    try:
        auth = httpx.post(
            f"{first.url}/api/v1/auth/register",
            json={"email": "r@example.com", "password": "Secret-123-x", "name": "R",
                  "workspaceName": "W"},
        ).json()  # fmt: skip
        headers = {"Authorization": f"Bearer {auth['accessToken']}"}
        session = httpx.post(
            f"{first.url}/api/v1/whatsapp/sessions",
            json={"accountId": "sim", "channel": "simulator"},
            headers=headers,
        ).json()
        kb = httpx.get(f"{first.url}/api/v1/knowledge-bases", headers=headers).json()
        kb_id = (kb["items"] if isinstance(kb, dict) else kb)[0]["id"]
        r = httpx.post(
            f"{first.url}/api/v1/knowledge-bases/{kb_id}/faqs",
            json={"question": "When are you open?", "answer": "Every day from 9 to 5."},
            headers=headers,
            timeout=120,
        )
        assert r.status_code == 201, r.text
    finally:
        assert first.stop() == 0
    await persist_unrouted_in(
        data, auth["workspace"]["id"], session["id"], MESSAGES, text="When are you open? ({i})"
    )

    second = launch(data, env={**os.environ, **BASE_ENV})
    probes: list[tuple[float, float, int]] = []  # (since port open, latency, recovering)
    try:
        opened = _wait_for_port(second.url)
        deadline = opened + 120
        with httpx.Client(timeout=10) as client:
            while time.monotonic() < deadline:
                sent = time.monotonic()
                r = client.get(f"{second.url}/api/v1/health")
                answered = time.monotonic()
                assert r.status_code == 200, r.text
                body = r.json()
                assert body["status"] == "ok", body
                probes.append((answered - opened, answered - sent, body["recovering"]))
                if body["recovering"] == 0 and _settled(data):
                    break
                time.sleep(0.05)
    finally:
        assert second.stop() == 0
    slow = [f"{at:.1f}s:{lat:.2f}s" for at, lat, _ in probes if lat > 0.3]
    summary = f"{len(probes)} probes; first {probes[0]}; slow (at: latency) {slow}"
    assert probes[0][0] < 1.0, summary  # the first answer within a second of the port opening
    assert max(p[1] for p in probes) < 1.0, summary
    assert any(p[2] > 0 for p in probes), summary  # it said it was recovering
    assert _settled(data)
    assert _db(data, "SELECT count(*) FROM messages WHERE direction = 'OUTBOUND'") == MESSAGES
    assert _db(data, "SELECT count(*) FROM outbox WHERE status = 'SENT'") == MESSAGES
    sends = re.findall(r"sent outbox (\w+)", second.log())
    assert len(sends) == len(set(sends)) == MESSAGES  # each reply sent once
