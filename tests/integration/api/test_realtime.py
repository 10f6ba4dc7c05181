"""`/api/v1/ws`: token auth, message:new for inbound and outbound, a workspace's clients get
only their workspace's events, rooms."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.integration.api.conftest import Api, _api
from tests.integration.bots import Bot, _bot


async def _frames(ws: Any, until: str, limit: int = 50) -> list[dict[str, Any]]:
    out = []
    for _ in range(limit):
        frame = await asyncio.to_thread(ws.receive_json, timeout=5)
        out.append(frame)
        if frame["event"] == until:
            return out
    raise AssertionError(f"no {until} in {out}")


async def test_clients_get_message_new_for_their_workspace_only(tmp_path) -> None:
    async for api in _api(tmp_path / "d", None, auto_reply="echo"):
        a: Bot = await _bot(api)
        b: Bot = await _bot(api)
        ws_a = (
            await api.client.websocket_connect(f"/api/v1/ws?token={a.owner.access}")
        ).__enter__()
        ws_b = (
            await api.client.websocket_connect(f"/api/v1/ws?token={b.owner.access}")
        ).__enter__()
        try:
            assert (await _frames(ws_a, "joined"))[-1]["data"][
                "workspaceId"
            ] == a.owner.workspace_id
            await _frames(ws_b, "joined")
            await a.simulate("+4917600000001", "for A")
            frames = []
            while sum(f["event"] == "message:new" for f in frames) < 2:
                frames += await _frames(ws_a, "message:new")
            news = [f["data"]["message"] for f in frames if f["event"] == "message:new"]
            assert [(m["direction"], m["content"]) for m in news] == [
                ("INBOUND", "for A"),
                ("OUTBOUND", "for A"),
            ]
            assert news[0]["waMessageId"]
            # one shape (seed §12) for inbound and bot reply alike: {message, conversation}
            convs = [f["data"]["conversation"] for f in frames if f["event"] == "message:new"]
            assert [c["id"] for c in convs] == [news[0]["conversationId"]] * 2
            assert convs[1]["lastMessageAt"] >= convs[0]["lastMessageAt"]
            # B's socket saw nothing of A: B's own message is the first thing it receives
            await b.simulate("+4917600000002", "for B")
            first_b = await _frames(ws_b, "message:new")
            assert all(
                f["data"].get("message", {}).get("content", "for B") == "for B" for f in first_b
            )
            assert all(f["event"] not in ("notification:new",) or
                       f["data"]["payload"].get("jid", "").startswith("4917600000002")
                       for f in first_b)  # fmt: skip
        finally:
            ws_a.__exit__(None, None, None)
            ws_b.__exit__(None, None, None)


async def test_join_checks_membership_and_conversation_room_narrows(api: Api) -> None:
    owner = await api.register("Ann", "A")
    other = await api.register("Bob", "B")
    ws = (await api.client.websocket_connect(f"/api/v1/ws?token={owner.access}")).__enter__()
    try:
        await _frames(ws, "joined")
        ws.send_json({"event": "join_workspace", "data": {"workspaceId": other.workspace_id}})
        assert (await _frames(ws, "error"))[-1]["data"]["detail"].startswith("you are not")
        ws.send_json({"event": "join_conversation", "data": {"conversationId": "nope"}})
        assert (await _frames(ws, "error"))[-1]["data"]["detail"] == "conversation not found"
        ws.send_json({"event": "ping"})
        assert (await _frames(ws, "pong"))[-1]["event"] == "pong"
    finally:
        ws.__exit__(None, None, None)


async def test_no_token_no_socket(api: Api) -> None:
    import pytest
    from litestar.exceptions import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect):
        ws = await api.client.websocket_connect("/api/v1/ws")
        with ws:
            ws.receive_json(timeout=2)
