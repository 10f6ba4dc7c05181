"""Issue 13.1: a WebSocket stays open only while its access holds. A member removed from the
workspace, a role change, a sign-out (logout, a re-used refresh token, a password reset), a
revoked API key or an expired access token close it with a code that says what to do; and
each event goes only to roles that may read its room."""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import timedelta
from typing import Any

from litestar.exceptions import WebSocketDisconnect

from app.domain import Role
from app.events import Event, names
from tests.integration.api.conftest import Account, Api, _api
from tests.integration.bots import _bot

ANN = "+4917600000001"


async def _open(api: Api, who: Account, credential: str | None = None) -> Any:
    """A socket in `who`'s workspace (joined explicitly: their first one may be another)."""
    query = credential or f"token={who.access}"
    ws = (await api.client.websocket_connect(f"/api/v1/ws?{query}")).__enter__()
    await _until(ws, "joined")
    ws.send_json({"event": "join_workspace", "data": {"workspaceId": who.workspace_id}})
    await _until(ws, "joined")
    return ws


async def _until(ws: Any, name: str) -> list[dict[str, Any]]:
    frames = []
    for _ in range(100):
        frames.append(await asyncio.to_thread(ws.receive_json, timeout=5))
        if frames[-1]["event"] == name:
            return frames
    raise AssertionError(f"no {name} in {frames}")


async def _closed(ws: Any) -> tuple[int, list[dict[str, Any]]]:
    """(close code, frames received before it)."""
    frames: list[dict[str, Any]] = []
    for _ in range(200):
        try:
            frames.append(await asyncio.to_thread(ws.receive_json, timeout=5))
        except WebSocketDisconnect as exc:
            return exc.code, frames
    raise AssertionError(f"still open after {frames}")


def _close(ws: Any) -> None:
    with contextlib.suppress(Exception):  # the server may have closed it already
        ws.__exit__(None, None, None)


async def test_a_removed_viewer_is_cut_off_before_the_next_message(tmp_path) -> None:  # type: ignore[no-untyped-def]
    async for api in _api(tmp_path / "d", None, auto_reply="echo"):
        bot = await _bot(api)
        owner = bot.owner
        viewer = await api.member(owner, Role.VIEWER, "Vic")
        ws = await _open(api, viewer)
        try:
            await bot.simulate(ANN, "before")
            seen = await _until(ws, "message:new")  # a viewer reads conversations
            assert seen[-1]["data"]["message"]["content"] == "before"
            r = await api.client.delete(
                f"/api/v1/workspaces/{owner.workspace_id}/users/{viewer.user_id}",
                headers=owner.headers(),
            )
            assert r.status_code == 204
            await bot.simulate(ANN, "after the removal")
            code, frames = await _closed(ws)
            assert code == 4003
            assert "after the removal" not in json.dumps(frames)
        finally:
            _close(ws)


async def test_role_change_logout_reset_and_key_revocation_close_sockets(api: Api) -> None:
    client = api.client
    owner = await api.register()
    agent = await api.member(owner, Role.AGENT, "Ann")
    ws = await _open(api, agent)
    r = await client.patch(
        f"/api/v1/workspaces/{owner.workspace_id}/users/{agent.user_id}",
        json={"role": "VIEWER"},
        headers=owner.headers(),
    )
    assert r.status_code == 200
    assert (await _closed(ws))[0] == 4004  # reconnect: the stream follows the new role
    _close(ws)

    ws = await _open(api, owner)
    assert (
        await client.post("/api/v1/auth/logout", json={"refreshToken": owner.refresh})
    ).status_code == 204
    assert (await _closed(ws))[0] == 4003
    _close(ws)

    login = await client.post(
        "/api/v1/auth/login", json={"email": agent.email, "password": "Correct-Horse-9"}
    )
    agent.access = login.json()["accessToken"]
    ws = await _open(api, agent)
    await client.post("/api/v1/auth/forgot-password", json={"email": agent.email})
    token = api.container.services.mailer.outbox[-1].get_content().split("token=")[1].split()[0]
    r = await client.post(
        "/api/v1/auth/reset-password", json={"token": token, "password": "Lantern-quiet-58"}
    )
    assert r.status_code == 204
    assert (await _closed(ws))[0] == 4003
    _close(ws)

    login = await client.post(
        "/api/v1/auth/login", json={"email": owner.email, "password": "Correct-Horse-9"}
    )
    owner.access = login.json()["accessToken"]
    key = (
        await client.post("/api/v1/settings/api-keys", json={"name": "k"}, headers=owner.headers())
    ).json()
    ws = (
        await client.websocket_connect("/api/v1/ws", headers={"X-API-Key": key["key"]})
    ).__enter__()
    await _until(ws, "joined")
    r = await client.delete(f"/api/v1/settings/api-keys/{key['id']}", headers=owner.headers())
    assert r.status_code == 204
    assert (await _closed(ws))[0] == 4003
    _close(ws)


async def test_the_socket_does_not_outlive_its_access_token(make_api) -> None:  # type: ignore[no-untyped-def]
    async for api in make_api(live_recheck_s=0.05):
        owner = await api.register()
        ws = await _open(api, owner)
        api.clock.advance(timedelta(minutes=16))  # access tokens live 15 minutes
        code, _ = await _closed(ws)
        assert code == 4001  # refresh the token, then reconnect
        _close(ws)


async def test_each_event_goes_only_to_roles_that_may_read_its_room(api: Api) -> None:
    owner = await api.register()
    viewer = await api.member(owner, Role.VIEWER, "Vic")
    ws_owner, ws_viewer = await _open(api, owner), await _open(api, viewer)
    bus = api.container.events
    portal = api.client.blocking_portal  # type: ignore[attr-defined]

    def publish() -> None:
        ws_id = owner.workspace_id
        bus.publish(Event(names.WHATSAPP_STATUS, ws_id, {"sessionId": "s", "status": "CONNECTED"}))
        bus.publish(Event(names.MODEL_PROGRESS, ws_id, {"name": "m.gguf", "state": "running"}))
        bus.publish(Event(names.CONTACT_UPDATED, ws_id, {"contact": {"id": "c"}}))
        bus.publish(Event("internal:thing", ws_id, {}))
        bus.publish(Event(names.MESSAGE_NEW, ws_id, {"message": {"content": "last"}}))

    try:
        await asyncio.to_thread(portal.call, publish)
        got_owner = [f["event"] for f in await _until(ws_owner, names.MESSAGE_NEW)]
        got_viewer = [f["event"] for f in await _until(ws_viewer, names.MESSAGE_NEW)]
        assert got_owner == [names.WHATSAPP_STATUS, names.MODEL_PROGRESS,
                             names.CONTACT_UPDATED, names.MESSAGE_NEW]  # fmt: skip
        assert got_viewer == [names.CONTACT_UPDATED, names.MESSAGE_NEW]
    finally:
        _close(ws_owner)
        _close(ws_viewer)
