"""Shared set-up for the inbox and simulator UI tests: an owner with a simulator session and a
customer who wrote in, played through the real pipeline (fake LLM echoes)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from nicegui.testing.user import User

from app.domain import Actor, Role
from app.domain import records as m
from tests.integration.ui.conftest import Dashboard

ANN = "+4917600000001"


@dataclass
class Shop:
    dashboard: Dashboard
    owner: m.Session
    actor: Actor
    session_id: str

    @property
    def services(self) -> Any:
        return self.dashboard.container.services

    async def simulate(self, text: str, who: str = ANN, name: str = "Ann") -> None:
        await self.services.sessions.simulate(
            self.actor, self.session_id, from_=who, name=name, text=text, media=None,
            wa_message_id=None,
        )  # fmt: skip

    async def conversation(self, who: str = ANN) -> Any:
        page = await self.services.conversation_queries.list(self.actor, search=who.lstrip("+"))
        return await self.services.conversation_queries.get(self.actor, page.items[0].id)


async def shop(dashboard: Dashboard, email: str = "owner@example.com") -> Shop:
    owner = await dashboard.register(email, "Olga")
    assert owner.workspace is not None
    actor = Actor(owner.user.id).in_workspace(owner.workspace.id, Role.OWNER)
    sim = await dashboard.container.services.sessions.create(actor, "sim", "simulator")
    return Shop(dashboard, owner, actor, sim.id)


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 8.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while not (result := await check()):
        assert asyncio.get_running_loop().time() < deadline, "condition never became true"
        await asyncio.sleep(0.05)
    return result


async def click(user: User, marker: str) -> None:
    await user.should_see(marker=marker)
    user.find(marker=marker).click()


async def use_workspace(user: User, workspace_id: str) -> None:
    from ui import session

    await user.open("/dashboard")
    with user:
        session.choose_workspace(workspace_id)
