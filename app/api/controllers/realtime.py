"""`GET /api/v1/ws`: the live event stream (seed §6 WebSocket events, §12 rooms).

Authenticate with `?token=<accessToken>` (browsers cannot set headers on a WebSocket) or the
usual headers. A connection starts in its workspace room: every event of that workspace the
caller's role may read (a VIEWER gets conversations, contacts and notifications; WhatsApp
session status and settings progress only reach roles that may see those). Client frames:
`{"event": "join_workspace", "data": {"workspaceId": …}}` switches (membership checked; the
role there applies) and widens to the whole workspace again; `{"event": "join_conversation",
"data": {"conversationId": …}}` narrows the stream to the joined conversations plus
workspace-wide events (status, notifications). Server frames are `{"event": name, "data": {…}}`.

The socket lives only while its access does (`app/services/live_access.py`). It closes with
4001 when the access token expires (refresh it and reconnect), 4003 when the access is gone
(signed out, password reset, removed from the workspace, API key revoked) and 4004 when the
caller's role changed (reconnect to follow the new role); a last `access:ended` frame carries
the code and the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from litestar import WebSocket, websocket
from litestar.exceptions import SerializationException, WebSocketDisconnect

from app.auth import Resource
from app.domain import Actor
from app.events import EventBus, Subscription
from app.services import Services
from app.services.live_access import AccessEnded, Grant, LiveAccess


class _Client:
    def __init__(
        self, socket: WebSocket, bus: EventBus, grant: Grant, live: LiveAccess, services: Services
    ) -> None:
        self.socket = socket
        self.bus = bus
        self.grant = grant
        self.live = live
        self.services = services
        self.conversations: set[str] | None = None
        # a room change is acknowledged once the new subscription exists, so a client that
        # waits for "joined" misses nothing published after it
        self.joined: tuple[str, dict[str, Any]] | None = None

    @property
    def workspace_id(self) -> str:
        return self.grant.actor.workspace_id or ""

    async def run(self) -> None:
        try:
            while True:
                with self.bus.subscribe(self.workspace_id, self.conversations) as sub:
                    if self.joined is not None:
                        await self._ack(*self.joined)
                        self.joined = None
                    changed = await self._pump(sub)
                if not changed:
                    return
        except AccessEnded as ended:
            with contextlib.suppress(Exception):
                data = {"code": ended.code, "reason": ended.reason}
                await self.socket.send_json({"event": "access:ended", "data": data})
                await self.socket.close(code=ended.code, reason=ended.reason)

    async def _pump(self, sub: Subscription) -> bool:
        """Forward events until the client leaves (False) or changes rooms (True); raises
        `AccessEnded` when the access is gone."""
        sender = asyncio.create_task(self._send_events(sub))
        receiver = asyncio.create_task(self._receive())
        try:
            done, _ = await asyncio.wait({sender, receiver}, return_when=asyncio.FIRST_COMPLETED)
            if sender in done:
                sender.result()  # raises AccessEnded (the stream never ends otherwise)
            return receiver.result()
        finally:
            for task in (sender, receiver):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def _receive(self) -> bool:
        try:
            while True:
                try:
                    frame = await self.socket.receive_json()
                except (SerializationException, RecursionError):
                    await self._error("frames must be JSON objects (nested at most a few levels)")
                    continue
                if await self._handle(frame):
                    return True
        except WebSocketDisconnect:
            return False

    async def _send_events(self, sub: Subscription) -> None:
        async for event in self.live.stream(self.grant, sub):
            await self.socket.send_json({"event": event.name, "data": event.data})

    async def _handle(self, frame: Any) -> bool:
        data = frame.get("data") if isinstance(frame, dict) else None
        data = data if isinstance(data, dict) else {}
        match frame.get("event") if isinstance(frame, dict) else None:
            case "join_workspace":
                wanted = str(data.get("workspaceId") or self.workspace_id)
                grant = await self._grant_in(wanted)
                if grant is None:
                    return await self._error("you are not a member of this workspace")
                self.grant, self.conversations = grant, None
                self.joined = ("join_workspace", {"workspaceId": wanted})
                return True
            case "join_conversation":
                conv_id = str(data.get("conversationId") or "")
                queries = self.services.conversation_queries
                if not await queries.belongs_to(self.workspace_id, conv_id):
                    return await self._error("conversation not found")
                self.conversations = {*(self.conversations or set()), conv_id}
                self.joined = ("join_conversation", {"conversationId": conv_id})
                return True
            case "ping":
                await self.socket.send_json({"event": "pong", "data": {}})
                return False
        return await self._error("unknown event; use join_workspace or join_conversation")

    async def _grant_in(self, workspace_id: str) -> Grant | None:
        """The grant in another workspace, with the caller's role there (None: not a member)."""
        actor = self.grant.actor
        if actor.api_key_id or actor.user_id is None:
            return self.grant if workspace_id == actor.workspace_id else None
        role = await self.services.workspaces.role_of(actor.user_id, workspace_id)
        return None if role is None else self.grant.in_workspace(workspace_id, role)

    async def _ack(self, name: str, data: dict[str, Any]) -> None:
        await self.socket.send_json({"event": "joined", "data": {"room": name, **data}})

    async def _error(self, detail: str) -> bool:
        await self.socket.send_json({"event": "error", "data": {"detail": detail}})
        return False


@websocket("/v1/ws", opt={"resource": Resource.CONVERSATIONS})
async def realtime(socket: WebSocket) -> None:
    """Live events of the caller's workspace (see module docs for frames and close codes)."""
    container = socket.app.state.container
    actor: Actor = socket.scope["auth"]
    expires = socket.scope.get("state", {}).get("token_expires_at")
    grant = Grant(actor, token_expires_at=expires)
    await socket.accept()
    services = container.services
    client = _Client(socket, container.events, grant, services.live_access, services)
    client.joined = ("join_workspace", {"workspaceId": actor.workspace_id})
    await client.run()
