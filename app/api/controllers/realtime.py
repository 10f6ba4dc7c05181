"""`GET /api/v1/ws`: the live event stream (seed §6 WebSocket events, §12 rooms).

Authenticate with `?token=<accessToken>` (browsers cannot set headers on a WebSocket) or the
usual headers. A connection starts in its workspace room: every event of that workspace. Client
frames: `{"event": "join_workspace", "data": {"workspaceId": …}}` switches (membership checked)
and widens to the whole workspace again; `{"event": "join_conversation", "data":
{"conversationId": …}}` narrows the stream to the joined conversations plus workspace-wide
events (status, notifications). Server frames are `{"event": name, "data": {…}}`.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from litestar import WebSocket, websocket
from litestar.exceptions import WebSocketDisconnect

from app.auth import Resource
from app.domain import Actor
from app.events import EventBus, Subscription
from app.services import Services


class _Client:
    def __init__(self, socket: WebSocket, bus: EventBus, actor: Actor, services: Services) -> None:
        self.socket = socket
        self.bus = bus
        self.actor = actor
        self.services = services
        self.workspace_id = actor.workspace_id or ""
        self.conversations: set[str] | None = None

    async def run(self) -> None:
        while True:
            with self.bus.subscribe(self.workspace_id, self.conversations) as sub:
                changed = await self._pump(sub)
            if not changed:
                return

    async def _pump(self, sub: Subscription) -> bool:
        """Forward events until the client leaves (False) or changes rooms (True)."""
        sender = asyncio.create_task(self._send_events(sub))
        try:
            while True:
                frame = await self.socket.receive_json()
                if await self._handle(frame):
                    return True
        except WebSocketDisconnect:
            return False
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sender

    async def _send_events(self, sub: Subscription) -> None:
        async for event in sub.events():
            await self.socket.send_json({"event": event.name, "data": event.data})

    async def _handle(self, frame: Any) -> bool:
        data = frame.get("data") if isinstance(frame, dict) else None
        data = data if isinstance(data, dict) else {}
        match frame.get("event") if isinstance(frame, dict) else None:
            case "join_workspace":
                wanted = str(data.get("workspaceId") or self.workspace_id)
                if not await self._member_of(wanted):
                    return await self._error("you are not a member of this workspace")
                self.workspace_id, self.conversations = wanted, None
                await self._ack("join_workspace", {"workspaceId": wanted})
                return True
            case "join_conversation":
                conv_id = str(data.get("conversationId") or "")
                queries = self.services.conversation_queries
                if not await queries.belongs_to(self.workspace_id, conv_id):
                    return await self._error("conversation not found")
                self.conversations = {*(self.conversations or set()), conv_id}
                await self._ack("join_conversation", {"conversationId": conv_id})
                return True
            case "ping":
                await self.socket.send_json({"event": "pong", "data": {}})
                return False
        return await self._error("unknown event; use join_workspace or join_conversation")

    async def _member_of(self, workspace_id: str) -> bool:
        if self.actor.api_key_id or self.actor.user_id is None:
            return workspace_id == self.actor.workspace_id
        return await self.services.workspaces.role_of(self.actor.user_id, workspace_id) is not None

    async def _ack(self, name: str, data: dict[str, Any]) -> None:
        await self.socket.send_json({"event": "joined", "data": {"room": name, **data}})

    async def _error(self, detail: str) -> bool:
        await self.socket.send_json({"event": "error", "data": {"detail": detail}})
        return False


@websocket("/v1/ws", opt={"resource": Resource.CONVERSATIONS})
async def realtime(socket: WebSocket) -> None:
    """Live events of the caller's workspace (see module docs for frames)."""
    container = socket.app.state.container
    actor: Actor = socket.scope["auth"]  # type: ignore[typeddict-item]
    await socket.accept()
    joined = {"room": "join_workspace", "workspaceId": actor.workspace_id}
    await socket.send_json({"event": "joined", "data": joined})
    await _Client(socket, container.events, actor, container.services).run()
