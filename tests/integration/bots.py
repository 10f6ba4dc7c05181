"""A bot to talk to: the real app (SQLite or Postgres) with a simulator session and the echo
responder in the AI slot, plus helpers that poll the API until the pipeline has acted.
The `bot` / `bot_any_db` fixtures live in tests/integration/conftest.py."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from app.channels import SimulatorChannel
from tests.integration.api.conftest import Account, Api


@dataclass
class Bot:
    api: Api
    owner: Account
    session_id: str

    @property
    def phone(self) -> SimulatorChannel:
        channel = self.api.container.channels.get(self.session_id)
        assert isinstance(channel, SimulatorChannel)
        return channel

    async def simulate(self, sender: str, text: str | None = None, **extra: Any) -> Any:
        body = {"from": sender, **({"text": text} if text is not None else {}), **extra}
        r = await self.api.client.post(
            f"/api/v1/whatsapp/sessions/{self.session_id}/simulate",
            json=body,
            headers=self.owner.headers(),
        )
        assert r.status_code == 202, r.text
        return r.json()

    async def get(self, path: str, **params: Any) -> Any:
        r = await self.api.client.get(f"/api/v1{path}", params=params, headers=self.owner.headers())
        assert r.status_code == 200, r.text
        return r.json()

    async def send(self, method: str, path: str, **kw: Any) -> Any:
        return await self.api.client.request(
            method, f"/api/v1{path}", headers=self.owner.headers(), **kw
        )

    async def db(self, query: Callable[[], Awaitable[Any]]) -> Any:
        """Run a database call on the app's loop (the shared SQLite connection and the
        Postgres pool belong to it), from the test's loop."""
        portal = self.api.client.blocking_portal  # type: ignore[attr-defined]
        return await asyncio.to_thread(portal.call, query)

    async def conversation_of(self, phone: str) -> dict[str, Any]:
        convs = (await self.get("/conversations", search=phone))["items"]
        assert len(convs) == 1, convs
        return await self.get(f"/conversations/{convs[0]['id']}", pageSize=200)

    def sent_texts(self, to: str | None = None) -> list[str]:
        return [
            s.message.text or ""
            for s in self.phone.sent
            if to is None or s.message.to.startswith(to.lstrip("+"))
        ]


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 30.0) -> Any:
    """Poll `check` until it returns something truthy (the pipeline runs in the app's loop)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met in {timeout}s (last: {result!r})")
        await asyncio.sleep(0.02)


async def _bot(api: Api) -> Bot:
    owner = await api.register()
    r = await api.client.post(
        "/api/v1/whatsapp/sessions",
        json={"accountId": "default", "channel": "simulator"},
        headers=owner.headers(),
    )
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "CONNECTED"
    return Bot(api, owner, r.json()["id"])
