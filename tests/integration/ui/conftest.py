"""NiceGUI's `User` simulation hosting our real dashboard: `mount_ui(container)` on a fresh
container (SQLite temp file, test settings), driven without a browser.

NiceGUI's own `user` fixture runs a `main.py`; ours is a FastAPI shell built by `mount_ui`, so
the harness below does what `nicegui.testing.user_simulation` does — reset NiceGUI's globals,
set the simulation flag, run the shell's lifespan, talk to it through httpx's ASGI transport —
with our composition root in the middle. Each test gets its own process-wide NiceGUI state.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from nicegui.testing.general import nicegui_reset_globals
from nicegui.testing.user import User

from app.container import Container, build_container, lifespan
from app.domain import Actor, Role
from app.domain import records as m
from tests.conftest import make_settings

PASSWORD = "Correct-horse-9"


class PatientUser(User):
    """NiceGUI's User, waiting up to ~5 s instead of 0.3 s for what a handler is about to show.

    Clicks run handlers as background tasks that hit the database; on a loaded CI machine
    three 0.1 s retries are not enough. A check that passes returns at once, so this costs
    nothing when things are quick.
    """

    async def should_see(self, *args: Any, retries: int = 50, **kwargs: Any) -> None:
        await super().should_see(*args, retries=retries, **kwargs)

    async def should_not_see(self, *args: Any, retries: int = 100, **kwargs: Any) -> None:
        await super().should_not_see(*args, retries=retries, **kwargs)


@dataclass
class Dashboard:
    """The mounted dashboard, its container, and a factory of simulated browsers."""

    container: Container
    new_user: Callable[[], User]

    async def register(self, email: str, name: str = "Owner", ws: str = "Acme") -> m.Session:
        return await self.container.services.auth.register(email, PASSWORD, name, ws)

    async def signed_in(self, email: str) -> User:
        """A simulated browser already signed in as `email` (password `PASSWORD`)."""
        from ui import session

        user = self.new_user()
        result = await self.container.services.auth.login(email, PASSWORD)
        # the storage is per browser: open a page first so the cookie (and storage) exist
        await user.open("/login")
        with user:
            session.remember(result)
        return user

    async def member(self, owner: m.Session, email: str, role: Role) -> m.Session:
        """Register `email` and make them `role` in the owner's workspace (through invites)."""
        services = self.container.services
        assert owner.workspace is not None
        actor = Actor(owner.user.id).in_workspace(owner.workspace.id, Role.OWNER)
        invite = await services.invites.invite(actor, owner.workspace.id, email, role)
        joined = await self.register(email, email.split("@")[0].title(), "Own space")
        token = (invite.invite_url or "").split("token=")[1]
        await services.invites.accept(Actor(joined.user.id), token)
        return joined


@pytest.fixture
async def dashboard(tmp_path: Path) -> AsyncIterator[Dashboard]:
    async with open_dashboard(tmp_path) as opened:
        yield opened


@asynccontextmanager
async def open_dashboard(tmp_path: Path, **overrides: Any) -> AsyncIterator[Dashboard]:
    """The dashboard on a fresh app (`overrides`: settings, e.g. media in S3)."""
    with nicegui_reset_globals():
        os.environ["NICEGUI_USER_SIMULATION"] = "true"
        try:
            from ui import mount_ui

            # the operator allows a model server on this machine by name (as the desktop app
            # does for loopback): pages save http://localhost:…/v1 base URLs; and a webhook
            # receiver on 127.0.0.1
            allow = ("localhost", "127.0.0.1")
            settings = make_settings(tmp_path / "data", ssrf_allow=allow, **overrides)
            container = build_container(settings)
            async with lifespan(container):
                shell = mount_ui(container)
                async with shell.router.lifespan_context(shell):
                    clients: list[httpx.AsyncClient] = []

                    def new_user() -> User:
                        client = httpx.AsyncClient(
                            transport=httpx.ASGITransport(shell), base_url="http://test"
                        )
                        clients.append(client)
                        return PatientUser(client)

                    try:
                        yield Dashboard(container, new_user)
                    finally:
                        for client in clients:
                            await client.aclose()
        finally:
            os.environ.pop("NICEGUI_USER_SIMULATION", None)
            from nicegui import ui
            from nicegui.functions.download import download
            from nicegui.functions.navigate import Navigate
            from nicegui.functions.notify import notify

            ui.navigate = Navigate()
            ui.notify = notify
            ui.download = download
