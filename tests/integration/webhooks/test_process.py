"""The real process (`python -m app serve --headless`).

1. SIGKILL between the change and the delivery: process 1 runs with `AIMY_WEBHOOK_STALL_S`
   (fault injection: the sender claims a delivery, then waits before posting it) and is killed
   there — the inbound message and its delivery row are committed, nothing was posted.
   Process 2 (no stall, short lease) sends it once the dead process's lease has passed;
   process 3 sends nothing again.
2. The README's "Connect n8n / Zapier" receiver, run as written, answers a customer through
   the API (`POST /whatsapp/sessions/{id}/send` with an API key, the event id as its
   `Idempotency-Key`): the reply lands in the customer's conversation, and a redelivery of
   the event sends nothing twice.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import free_port, start
from tests.fakes.webhook_receiver import Receiver
from tests.integration.webhooks.readme import block

pytestmark = pytest.mark.slow
ANN = "+4917600000001"


def _db(data_dir: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(data_dir / "aimywhatsapp.db") as db:
        return db.execute(sql).fetchall()


def _wait(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError("timed out")


def _owner(url: str) -> dict[str, str]:
    auth = httpx.post(
        f"{url}/api/v1/auth/register",
        json={
            "email": "k@example.com",
            "password": "Crash-safe-secret-123",
            "name": "K",
            "workspaceName": "W",
        },
    ).json()
    return {"Authorization": f"Bearer {auth['accessToken']}"}


def _session(url: str, headers: dict[str, str]) -> str:
    r = httpx.post(
        f"{url}/api/v1/whatsapp/sessions",
        json={"accountId": "sim", "channel": "simulator"},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _simulate(url: str, headers: dict[str, str], session: str, text: str) -> None:
    r = httpx.post(
        f"{url}/api/v1/whatsapp/sessions/{session}/simulate",
        json={"from": ANN, "text": text},
        headers=headers,
    )
    assert r.status_code == 202, r.text


def test_sigkill_between_the_change_and_the_delivery_still_delivers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    for key, value in {
        "AIMY_AUTO_REPLY": "none",
        "AIMY_SSRF_ALLOW": "127.0.0.1",
        "AIMY_WEBHOOK_STALL_S": "3600",
        "AIMY_WEBHOOK_TIMEOUT_S": "0.5",  # the lease: 3 × this, at least AIMY_WEBHOOK_LEASE_S
        "AIMY_WEBHOOK_LEASE_S": "1",
    }.items():
        monkeypatch.setenv(key, value)
    with Receiver() as receiver:
        first = start(data)
        try:
            headers = _owner(first.url)
            session = _session(first.url, headers)
            hook = {"name": "crm", "url": receiver.url, "events": ["message.inbound"]}
            r = httpx.post(f"{first.url}/api/v1/settings/webhooks", json=hook, headers=headers)
            assert r.status_code == 201, r.text
            _simulate(first.url, headers, session, "survive me")
            _wait(lambda: "webhook stall: holding delivery" in first.log())
        finally:
            first.proc.send_signal(signal.SIGKILL)
            first.proc.wait(10)
        rows = _db(data, "SELECT id, status, attempts FROM webhook_deliveries")
        assert len(rows) == 1 and rows[0][1:] == ("SENDING", 0)
        delivery_id = rows[0][0]
        assert receiver.requests == []

        monkeypatch.setenv("AIMY_WEBHOOK_STALL_S", "0")
        second = start(data)
        try:
            (got,) = receiver.wait_for(1, timeout=30)
            assert got.headers["X-Aimy-Delivery"] == delivery_id
            assert got.json["data"]["message"]["content"] == "survive me"
            _wait(lambda: _db(data, "SELECT status FROM webhook_deliveries") == [("DELIVERED",)])
        finally:
            assert second.stop() == 0

        third = start(data)
        try:
            time.sleep(2.5)  # many sender passes, a lease and more
            assert len(receiver.requests) == 1
            assert _db(data, "SELECT status, attempts FROM webhook_deliveries") == [
                ("DELIVERED", 1)
            ]
        finally:
            assert third.stop() == 0


def test_the_readme_receiver_answers_through_the_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIMY_AUTO_REPLY", "none")  # only the integration answers
    monkeypatch.setenv("AIMY_SSRF_ALLOW", "127.0.0.1")
    data = tmp_path / "data"
    app = start(data)
    receiver: subprocess.Popen[str] | None = None
    try:
        headers = _owner(app.url)
        session = _session(app.url, headers)
        key = httpx.post(
            f"{app.url}/api/v1/settings/api-keys", json={"name": "n8n"}, headers=headers
        ).json()["key"]
        port = free_port()
        hook = {"name": "n8n", "url": f"http://127.0.0.1:{port}/", "events": ["message.inbound"]}
        r = httpx.post(f"{app.url}/api/v1/settings/webhooks", json=hook, headers=headers)
        assert r.status_code == 201, r.text
        script = tmp_path / "receiver.py"
        script.write_text(block("webhook-receiver-example"))
        env = {
            **os.environ,
            "AIMY_URL": app.url,
            "AIMY_API_KEY": key,
            "WEBHOOK_SECRET": r.json()["secret"],
            "PORT": str(port),
        }
        receiver = subprocess.Popen([sys.executable, str(script)], env=env, text=True)
        _wait(lambda: _listening(port), timeout=15)
        _simulate(app.url, headers, session, "Where is my order?")

        def answered() -> dict[str, Any] | None:
            convs = httpx.get(f"{app.url}/api/v1/conversations", headers=headers).json()
            if not convs["items"]:
                return None
            conv = convs["items"][0]["id"]
            thread = httpx.get(f"{app.url}/api/v1/conversations/{conv}", headers=headers).json()
            out = [m for m in thread["messages"] if m["direction"] == "OUTBOUND"]
            return out[0] if out and out[0]["status"] in ("SENT", "DELIVERED", "READ") else None

        reply = _wait(answered)
        assert reply["content"] == "Thanks! We got: Where is my order?"
        assert reply["senderType"] == "HUMAN"  # sent through the API, by the pipeline
        log = f"{app.url}/api/v1/settings/webhooks/{r.json()['id']}/deliveries"
        (delivery,) = httpx.get(log, headers=headers).json()["items"]
        assert delivery["status"] == "DELIVERED" and delivery["statusCode"] == 204
        event_id = _db(data, "SELECT event_id FROM webhook_deliveries")[0][0]
        assert _db(data, "SELECT kind, idempotency_key FROM outbox") == [("send_first", event_id)]

        again = httpx.post(f"{log}/{delivery['id']}/redeliver", headers=headers)
        assert again.status_code in (200, 201, 202), again.text
        _wait(
            lambda: (
                len(_db(data, "SELECT 1 FROM webhook_deliveries WHERE status = 'DELIVERED'")) == 2
            )
        )
        time.sleep(0.5)  # the receiver called the API again, with the same event id
        assert len(_db(data, "SELECT 1 FROM outbox")) == 1  # … which sent nothing twice
    finally:
        if receiver is not None:
            receiver.terminate()
            receiver.wait(10)
        assert app.stop() == 0


def _listening(port: int) -> bool:
    try:
        httpx.post(f"http://127.0.0.1:{port}/", content=b"{}", timeout=1)
    except httpx.TransportError:
        return False
    return True
