"""An echo bot whose webhooks may call loopback (`AIMY_SSRF_ALLOW=127.0.0.1`, as an operator
allows a private receiver), with helpers to subscribe a receiver and drive the sender."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.webhook_receiver import Receiver
from tests.integration.api.conftest import _api
from tests.integration.bots import Bot, _bot

ALLOW = ("127.0.0.1",)


class Hooks:
    """The bot, and what a test does with its webhooks."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def subscribe(self, url: str, events: list[str] | None = None, **extra: Any) -> dict:
        body = {"name": "receiver", "url": url, "events": events or ["*"], **extra}
        r = await self.bot.send("POST", "/settings/webhooks", json=body)
        assert r.status_code == 201, r.text
        return r.json()

    async def deliveries(self, webhook_id: str, **params: Any) -> list[dict]:
        page = await self.bot.get(f"/settings/webhooks/{webhook_id}/deliveries", **params)
        return page["items"]

    async def webhook(self, webhook_id: str) -> dict:
        return await self.bot.get(f"/settings/webhooks/{webhook_id}")

    async def later(self, seconds: float) -> None:
        """Move the app's clock on and wake the sender: due retries go out now."""
        self.bot.api.clock.advance(timedelta(seconds=seconds))
        await self.wake()

    async def wake(self) -> None:
        sender = self.bot.api.container.webhook_sender

        async def wake() -> None:
            sender.wake()

        await self.bot.db(wake)


async def _hooks(data_dir: Path, db_url: str | None, **overrides: Any) -> AsyncIterator[Hooks]:
    # the clock moves hours on in retry tests: the sign-in must outlive that
    settings = {"auto_reply": "echo", "ssrf_allow": ALLOW, "access_token_ttl_s": 7 * 86400}
    settings |= overrides
    async for api in _api(data_dir, db_url, **settings):
        yield Hooks(await _bot(api))


@pytest.fixture
async def hooks(tmp_path: Path) -> AsyncIterator[Hooks]:
    """An echo bot on SQLite whose webhooks may reach loopback."""
    async for h in _hooks(tmp_path / "data", None):
        yield h


@pytest.fixture
async def hooks_any_db(tmp_path: Path, db_url: str) -> AsyncIterator[Hooks]:
    """The same on each backend."""
    url = None if db_url.startswith("sqlite") else db_url
    async for h in _hooks(tmp_path / "data", url):
        yield h


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r
