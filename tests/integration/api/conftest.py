"""An API client on a real database (SQLite file, and Postgres where a test asks for both)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.container import Container, build_container
from app.domain import ManualClock, Role
from app.server import create_asgi
from tests.conftest import make_settings

PASSWORD = "Correct-Horse-9"


@dataclass
class Account:
    email: str
    user_id: str
    workspace_id: str
    access: str
    refresh: str

    def headers(self, workspace_id: str | None = None) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.access}",
            "X-Workspace-Id": workspace_id or self.workspace_id,
        }


@dataclass
class Api:
    client: AsyncTestClient
    container: Container
    app: Litestar
    clock: ManualClock
    _n: list[int] = field(default_factory=lambda: [0])

    async def register(self, name: str = "Owner", workspace: str = "Acme") -> Account:
        self._n[0] += 1
        email = f"{name.lower()}{self._n[0]}@example.com"
        r = await self.client.post(
            "/api/v1/auth/register",
            json={"email": email, "password": PASSWORD, "name": name, "workspaceName": workspace},
        )
        assert r.status_code == 201, r.text
        body = r.json()
        return Account(
            email,
            body["user"]["id"],
            body["workspace"]["id"],
            body["accessToken"],
            body["refreshToken"],
        )

    async def member(self, owner: Account, role: Role, name: str | None = None) -> Account:
        """A new user who joined `owner`'s workspace with `role` through a real invitation."""
        other = await self.register(name or role.value.title(), "Own space")
        r = await self.client.post(
            f"/api/v1/workspaces/{owner.workspace_id}/invite",
            json={"email": other.email, "role": role.value},
            headers=owner.headers(),
        )
        assert r.status_code == 201, r.text
        token = r.json()["inviteUrl"].split("token=")[1]
        r = await self.client.post(
            "/api/v1/workspaces/invites/accept",
            json={"token": token},
            headers={"Authorization": f"Bearer {other.access}"},
        )
        assert r.status_code == 201, r.text
        other.workspace_id = owner.workspace_id
        return other


async def _api(data_dir: Path, db_url: str | None, **overrides: Any) -> AsyncIterator[Api]:
    settings = make_settings(data_dir, database_url=db_url, **overrides)
    clock = ManualClock()
    container = build_container(settings, clock)
    # The client runs the app on its own loop (a thread): the container's lifespan must run
    # there too, as in the process, so Front (API only) receives the ASGI lifespan events.
    front = create_asgi(container, with_ui=False)
    async with AsyncTestClient(app=front) as client:  # type: ignore[arg-type]
        yield Api(client, container, front.api, clock)  # type: ignore[arg-type]


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    """API on a fresh SQLite database."""
    async for a in _api(tmp_path / "data", None):
        yield a


@pytest.fixture
async def api_any_db(tmp_path: Path, db_url: str) -> AsyncIterator[Api]:
    """API on each backend (SQLite, and Postgres when AIMY_TEST_POSTGRES_URL is set)."""
    url = None if db_url.startswith("sqlite") else db_url
    async for a in _api(tmp_path / "data", url):
        yield a


@pytest.fixture
def make_api(tmp_path: Path) -> Callable[..., Any]:
    """Build an API with settings overrides, e.g. strict rate limits."""

    def factory(**overrides: Any):  # type: ignore[no-untyped-def]
        return _api(tmp_path / f"data{len(overrides)}", None, **overrides)

    return factory


def routes(app: Litestar) -> list[tuple[str, str, dict[str, Any]]]:
    """Every (method, path, opt) the API serves — the matrix and tenancy tests walk these."""
    out = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(getattr(handler, "http_methods", []) or ["WS"]):
                if method in ("OPTIONS", "HEAD"):
                    continue
                out.append((method, route.path, handler.opt))
    return out


def fill(path: str, values: dict[str, str]) -> str:
    """Replace `{name:type}` path parameters with values[name]."""
    import re

    return re.sub(r"\{(\w+):\w+\}", lambda m: values[m.group(1)], path)
