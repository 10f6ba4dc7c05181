"""Flow fixtures: the real app (simulator session, echo in the AI slot, a ManualClock) with
helpers to write flow documents, create and activate them through the API, talk to them as a
customer, and move time for delays and timeouts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.integration.api.conftest import _api
from tests.integration.bots import Bot, _bot, eventually

__all__ = ["FlowBot", "e", "eventually", "flow_bot", "n"]


def n(node_id: str, kind: str, **data: Any) -> dict[str, Any]:
    """A node of a flow document."""
    return {"id": node_id, "type": kind, "position": {"x": 0, "y": 0}, "data": data}


def e(source: str, target: str, handle: str | None = None) -> dict[str, Any]:
    """An edge; `handle` is the branch (None: default)."""
    edge = {"id": f"{source}-{handle or 'default'}-{target}", "source": source, "target": target}
    if handle:
        edge["sourceHandle"] = handle
    return edge


class FlowBot(Bot):
    def sent_texts(self, to: str | None = None) -> list[str]:
        """What the phone received for `to`: texts, and the captions of media."""
        return [
            s.message.text or s.message.caption or ""
            for s in self.phone.sent
            if to is None or s.message.to.startswith(to.lstrip("+"))
        ]

    async def flow(
        self,
        nodes: list[dict[str, Any]],
        edges: list[dict[str, Any]],
        trigger: str = "API",
        config: dict[str, Any] | None = None,
        *,
        name: str = "Test flow",
        active: bool = True,
    ) -> dict[str, Any]:
        """Create (and activate) a flow through the API."""
        body = {
            "name": name,
            "triggerType": trigger,
            "triggerConfig": config or {},
            "nodes": nodes,
            "edges": edges,
            "isActive": active,
        }
        r = await self.send("POST", "/flows", json=body)
        assert r.status_code == 201, r.text
        return r.json()

    async def trigger(self, flow_id: str, status: int = 202, **body: Any) -> dict[str, Any]:
        r = await self.send("POST", f"/flows/{flow_id}/trigger", json=body)
        assert r.status_code == status, r.text
        return r.json()

    async def said(self, phone: str, count: int, timeout: float = 15.0) -> list[str]:
        """Wait until the phone received `count` messages for `phone`; return all of them."""

        async def check() -> list[str] | None:
            texts = self.sent_texts(phone)
            return texts if len(texts) >= count else None

        return await eventually(check, timeout)

    async def quiet(self, phone: str, count: int, wait: float = 0.3) -> list[str]:
        """`count` messages went out to `phone`, and no more follow."""
        await self.said(phone, count)
        await asyncio.sleep(wait)
        texts = self.sent_texts(phone)
        assert len(texts) == count, texts
        return texts

    async def runs(self, flow_id: str) -> list[dict[str, Any]]:
        return (await self.get(f"/flows/{flow_id}/runs"))["items"]

    async def run_settled(self, flow_id: str, **expected: Any) -> dict[str, Any]:
        """The flow's newest run once its fields equal `expected`."""

        async def check() -> dict[str, Any] | None:
            runs = await self.runs(flow_id)
            if runs and all(runs[0].get(k) == v for k, v in expected.items()):
                return runs[0]
            return None

        return await eventually(check, 10)

    async def later(self, **delta: float) -> int:
        """Move the app's clock forward and run the wake-up job once (as its tick would)."""
        await self.advance(**delta)
        return await self.db(self.api.container.flow_runner.wake_due)

    async def advance(self, **delta: float) -> None:
        """Move the app's clock forward; the owner's access token is renewed (it lives 15
        minutes of that clock)."""
        self.api.clock.advance(timedelta(**delta))
        r = await self.api.client.post(
            "/api/v1/auth/refresh", json={"refreshToken": self.owner.refresh}
        )
        assert r.status_code == 200, r.text
        self.owner.access, self.owner.refresh = r.json()["accessToken"], r.json()["refreshToken"]

    async def contact_id(self, phone: str) -> str:
        return (await self.conversation_of(phone))["contactId"]


async def make_flow_bot(
    data_dir: Path, db_url: str | None = None, **overrides: Any
) -> AsyncIterator[FlowBot]:
    settings = {"auto_reply": "echo", "flow_tick_s": 3600.0, **overrides}
    async for api in _api(data_dir, db_url, **settings):
        bot = await _bot(api)
        yield FlowBot(bot.api, bot.owner, bot.session_id)


@pytest.fixture
async def flow_bot(tmp_path: Path) -> AsyncIterator[FlowBot]:
    """The app on SQLite with echo in the AI slot; the wake-up job only runs when a test calls
    `later()` (its tick is an hour), so time is the test's."""
    async for bot in make_flow_bot(tmp_path / "data"):
        yield bot
