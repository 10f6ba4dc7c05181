"""A real number that loses its internet connection, through the API: real worker processes
whose scripted neonize client fails to connect as whatsmeow does offline ("dial tcp: lookup
web.whatsapp.com: no such host") until a flag file goes, with a fast reconnect schedule.

- one `wa_disconnected` notification for the whole outage, updated with the attempt count
  and the last error — not one per attempt (issue 13 item 9) — and one `wa_reconnected`;
- the session says why (`lastError`, `lastErrorMessage`), and asking it for a pairing code
  answers 503 with that reason, not a 500 (item 10).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from app.channels import NeonizeChannel, SupervisorConfig, manager
from app.channels.events import ChannelEvents
from tests.integration.api.conftest import Account, Api
from tests.integration.bots import eventually

NO_INTERNET = "No internet connection: WhatsApp's servers could not be reached"


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """While this file exists, every WhatsApp worker fails to connect, as without internet."""
    flag = tmp_path / "offline"
    flag.touch()
    real = manager.build_channel

    def build(spec: manager.ChannelSpec, events: ChannelEvents) -> Any:
        if spec.kind == "simulator":
            return real(spec, events)
        assert spec.session_dir is not None and spec.credentials_key is not None
        return NeonizeChannel(
            spec.session_id, spec.session_dir, spec.credentials_key, events,
            runtime_base=tmp_path / "run", fake_script=f"offline_while:{flag},connected",
            config=SupervisorConfig(backoff=(0.05,), alert_from_attempt=3, stop_grace=2),
        )  # fmt: skip

    monkeypatch.setattr(manager, "build_channel", build)
    return flag


async def _notes(api: Api, owner: Account, kind: str) -> list[dict[str, Any]]:
    r = await api.client.get("/api/v1/notifications", headers=owner.headers())
    assert r.status_code == 200, r.text
    return [n for n in r.json()["items"] if n["type"] == kind]


async def _session(api: Api, owner: Account) -> dict[str, Any]:
    (session,) = (await api.client.get("/api/v1/whatsapp/sessions", headers=owner.headers())).json()
    return session


async def test_an_offline_number_is_one_outage_with_its_reason(api: Api, offline: Path) -> None:
    owner = await api.register()
    r = await api.client.post(
        "/api/v1/whatsapp/sessions",
        json={"accountId": "shop", "channel": "whatsapp"},
        headers=owner.headers(),
    )
    assert r.status_code == 201, r.text
    channel = api.container.channels.get(r.json()["id"])
    assert isinstance(channel, NeonizeChannel)

    async def retried(times: int) -> bool:
        return len(channel.supervisor.restarts) >= times

    await eventually(lambda: retried(5), timeout=60)  # past the warning alerts (attempt 3+)
    await asyncio.sleep(0.2)  # the last attempt's events are handled

    (outage,) = await _notes(api, owner, "wa_disconnected")
    assert outage["payload"]["attempts"] >= 5
    assert "no such host" in outage["payload"]["lastError"]
    session = await _session(api, owner)
    assert session["status"] in ("DISCONNECTED", "CONNECTING")
    assert "no such host" in session["lastError"]
    assert session["lastErrorMessage"].startswith(NO_INTERNET)

    r = await api.client.post(
        f"/api/v1/whatsapp/sessions/{session['id']}/pair",
        json={"phoneNumber": "+49 176 1234 5678"},
        headers=owner.headers(),
    )
    assert r.status_code == 503, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert NO_INTERNET in r.json()["detail"] and "no such host" in r.json()["lastError"]

    offline.unlink()  # the internet is back

    async def connected() -> bool:
        return (await _session(api, owner))["status"] == "CONNECTED"

    await eventually(connected, timeout=30)
    (outage,) = await _notes(api, owner, "wa_disconnected")
    assert outage["payload"]["endedAt"]
    (back,) = await _notes(api, owner, "wa_reconnected")
    assert back["payload"]["attempts"] == outage["payload"]["attempts"]
    session = await _session(api, owner)
    assert session["lastError"] is None and session["lastErrorMessage"] is None
    r = await api.client.post(
        f"/api/v1/whatsapp/sessions/{session['id']}/pair",
        json={"phoneNumber": "+49 176 1234 5678"},
        headers=owner.headers(),
    )
    assert r.status_code == 201 and r.json()["code"] == "FAKE-5678", r.text
