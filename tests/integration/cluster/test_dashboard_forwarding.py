"""The dashboard on a node that does not run the session (issue 18): pairing and the simulator
go through `LiveSessionService`, as the pages call it, to the node that runs the session.

Node A runs in this process (its services, called as the NiceGUI pages call them, on the app's
loop); node B is `python -m app serve` with its own data dir, on the same Postgres and secret
store. Two simulator sessions even out to one per node; the one on B is paired and typed into
from A — the plain service call on A still says 409 "runs on node node-b", which is what the
pages answered before.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient

from app.container import build_container
from app.db.tables import SessionLease, WhatsappSession
from app.domain import Actor, Conflict, Role, SystemClock
from app.server import create_asgi
from tests.conftest import TEST_MASTER_KEY, make_settings
from tests.e2e.conftest import Process, launch
from tests.integration.api.conftest import Api
from tests.integration.bots import Bot, _bot, eventually

pytestmark = pytest.mark.postgres
FAST_LEASES = {"lease_ttl_s": 3.0, "lease_heartbeat_s": 0.3}


@asynccontextmanager
async def _node_a(data_dir: Path, db_url: str, **settings: Any) -> AsyncIterator[Api]:
    """Node A with the real clock: its leases expire and renew on the same time as B's."""
    container = build_container(
        make_settings(data_dir, database_url=db_url, node_id="node-a", **settings), SystemClock()
    )
    front = create_asgi(container, with_ui=False)
    async with AsyncTestClient(app=front) as client:  # type: ignore[arg-type]
        yield Api(client, container, front.api, None)  # type: ignore[arg-type]


@pytest.mark.parametrize("db_url", [pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)  # fmt: skip
async def test_pairing_and_the_simulator_reach_the_session_on_another_node(
    tmp_path: Path, db_url: str
) -> None:
    shared = {"secrets_file": str(tmp_path / "secrets.enc"), "auto_reply": "echo"}
    env = {
        **os.environ,
        "AIMY_MASTER_KEY": TEST_MASTER_KEY,
        "AIMY_SECRETS_BACKEND": "file",
        "AIMY_DATABASE_URL": db_url,
        "AIMY_NODE_ID": "node-b",
        **{f"AIMY_{k.upper()}": str(v) for k, v in {**shared, **FAST_LEASES}.items()},
    }
    async with _node_a(tmp_path / "a" / "data", db_url, **shared, **FAST_LEASES) as node_a:
        bot = await _bot(node_a)
        r = await bot.send("POST", "/whatsapp/sessions", json={"accountId": "two",
                                                               "channel": "simulator"})  # fmt: skip
        assert r.status_code == 201, r.text
        node_b = launch(tmp_path / "b" / "data", env=env)
        try:
            on_b = await eventually(_connected_on_b(bot, node_b), timeout=90)
            services = node_a.container.services
            owner = bot.owner
            family = node_a.container.signer.verify(owner.access).session_family
            actor = Actor(owner.user_id, session_family=family).in_workspace(
                owner.workspace_id, Role.OWNER
            )  # the dashboard's actor: a sign-in family, no token

            with pytest.raises(Conflict, match="runs on node node-b"):  # the pages, before
                await bot.db(lambda: services.sessions.pair(actor, on_b, "+4917600000001"))
            paired = await bot.db(
                lambda: services.live_sessions.pair(actor, on_b, "+4917600000001")
            )
            assert paired.code == "SIMU-LATE" and paired.session_id == on_b
            said = await bot.db(
                lambda: services.live_sessions.simulate(
                    actor, on_b, from_="+4917600000042", name="Kim", text="hi from A", media=None
                )
            )
            assert said.wa_message_id
            # B ran the pipeline: the echo of what was typed on A is in the shared database
            thread = await eventually(_echoed(bot, "+4917600000042", "hi from A"), timeout=30)
            assert {m["waMessageId"] for m in thread if m["direction"] == "INBOUND"} == {
                said.wa_message_id
            }
            with pytest.raises(Conflict, match="only simulator sessions"):  # B's refusal
                await bot.db(lambda: _simulate_on(services, actor, "nope", on_b))
        finally:
            node_b.stop()


async def _simulate_on(services: Any, actor: Actor, account: str, on_b: str) -> Any:
    """Make B's session a real number's (in the database), then simulate: B refuses."""
    await WhatsappSession.update({WhatsappSession.channel: "whatsapp"}).where(
        WhatsappSession.id == on_b
    )
    return await services.live_sessions.simulate(
        actor, on_b, from_="+4917600000043", name=None, text=account, media=None
    )


def _connected_on_b(bot: Bot, node_b: Process) -> Callable[[], Awaitable[str | None]]:
    async def check() -> str | None:
        if node_b.proc.poll() is not None:
            raise RuntimeError(f"node B exited:\n{node_b.log()}")
        rows = await bot.db(
            lambda: SessionLease.select(SessionLease.session_id, SessionLease.node_id)
        )
        on_b = [r["session_id"] for r in rows if r["node_id"] == "node-b"]
        if not on_b:
            return None
        try:
            async with httpx.AsyncClient(base_url=node_b.url) as client:
                r = await client.get(
                    f"/api/v1/whatsapp/sessions/{on_b[0]}/status", headers=bot.owner.headers()
                )
        except httpx.TransportError:
            return None
        return on_b[0] if r.status_code == 200 and r.json()["running"] else None

    return check


def _echoed(bot: Bot, phone: str, text: str) -> Callable[[], Awaitable[list[Any] | None]]:
    async def check() -> list[Any] | None:
        convs = (await bot.get("/conversations", search=phone))["items"]
        if not convs:
            return None
        thread = (await bot.get(f"/conversations/{convs[0]['id']}"))["messages"]
        out = [m for m in thread if m["direction"] == "OUTBOUND" and text in (m["content"] or "")]
        return thread if out else None

    return check
