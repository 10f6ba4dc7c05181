"""AI-engine fixtures: the real app with the AI engine in the pipeline's AI slot, a simulator
session, FAQ rows, and a way to script the fake model (a real adapter, chosen by settings)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from app.db.tables import KBFaq, KnowledgeBase
from app.llm import LLM, build_llm
from tests.fakes.llm_server import llm_server
from tests.integration.api.conftest import _api
from tests.integration.bots import Bot, _bot, eventually

__all__ = ["AIBot", "ai_bot", "eventually", "llm_server", "make_ai_bot", "wait_sent"]


class AIBot(Bot):
    def script(self, **fake: Any) -> None:
        """Make the fake model behave: `fake_replies=(...)`, `fake_confidence=0.2`."""
        pool = self.api.container.ai.models
        pool.factory = lambda s: build_llm(replace(s, **fake))
        pool._cache.clear()

    def model(self) -> LLM:
        """The adapter the engine used last (to read the fake's recorded calls)."""
        return list(self.api.container.ai.models._cache.values())[-1]

    async def add_faqs(self, *pairs: tuple[str, str]) -> list[str]:
        """FAQ rows in a knowledge base of the owner's workspace, written on the app's loop
        (its SQLite connection and lock live there: awaited from the test's loop while the app
        held the lock, the hand-over woke nobody and the test hung)."""

        async def write() -> list[str]:
            kb = KnowledgeBase(workspace_id=self.owner.workspace_id, name="Main", is_default=True)
            await KnowledgeBase.insert(kb)
            ids = []
            for question, answer in pairs:
                row = KBFaq(knowledge_base_id=kb.id, question=question, answer=answer)
                await KBFaq.insert(row)
                ids.append(row.id)
            return ids

        return list(await self.db(write))

    async def patch_settings(self, **body: Any) -> dict[str, Any]:
        r = await self.send("PATCH", "/settings", json=body)
        assert r.status_code == 200, r.text
        return r.json()

    async def bot_messages(
        self, phone: str, count: int = 1, timeout: float = 30.0
    ) -> list[dict[str, Any]]:
        """Wait until the conversation holds `count` outbound messages; return them."""

        async def check() -> list[dict[str, Any]] | None:
            convs = (await self.get("/conversations", search=phone))["items"]
            if not convs:
                return None
            detail = await self.get(f"/conversations/{convs[0]['id']}", pageSize=200)
            out = [m for m in detail["messages"] if m["direction"] == "OUTBOUND"]
            return out if len(out) >= count else None

        return await eventually(check, timeout)


async def wait_sent(bot: Bot, phone: str, count: int) -> list[str]:
    """Wait until the simulated phone received `count` messages for `phone`."""

    async def check() -> list[str] | None:
        texts = bot.sent_texts(phone)
        return texts if len(texts) >= count else None

    return await eventually(check)


def make_ai_bot(tmp_path: Path) -> Callable[..., Any]:
    async def factory(**overrides: Any) -> AsyncIterator[AIBot]:
        async for api in _api(tmp_path / f"data{len(overrides)}", None, **overrides):
            bot = await _bot(api)
            yield AIBot(bot.api, bot.owner, bot.session_id)

    return factory


@pytest.fixture
async def ai_bot(tmp_path: Path) -> AsyncIterator[AIBot]:
    """The AI engine with the fake model (the test profile's provider override)."""
    async for bot in make_ai_bot(tmp_path)():
        yield bot
