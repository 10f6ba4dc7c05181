"""Who is calling (middleware) and may they (guard): seed §14's request authentication flow.

1. `AuthMiddleware` notes which node forwarded the request, if a node did and signed it
   (`scope["state"]["forwarded_by"]`, app/cluster/signing.py), then reads `Authorization:
   Bearer …`, `X-API-Key` or (WebSocket) `?token=`, verifies it, then picks the workspace:
   the path's `workspace_id`, else `X-Workspace-Id`, else the user's first workspace;
   membership gives the role. The result is an `Actor` in `scope["auth"]` — or None for
   anonymous calls.
2. `permission_guard` enforces, per route, the declarative matrix in `app/domain/permissions.py`.
   Every route declares `opt={"resource": …}`, or `public=True`, or `account=True` (a signed-in
   user, no workspace needed). A route that declares none fails closed.
"""

from __future__ import annotations

import collections
from typing import Any
from urllib.parse import parse_qs

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from app.auth import Resource, can
from app.cluster.signing import MARKER, NodeSignature
from app.domain import Actor, Forbidden, Unauthorized
from app.services import Services
from app.settings import Settings

READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def client_ip(scope: Scope, trust_forwarded_for: bool) -> str | None:
    if trust_forwarded_for:
        for name, value in scope.get("headers", []):
            if name == b"x-forwarded-for":
                return value.decode("latin-1").split(",")[0].strip()
    client = scope.get("client")
    return client[0] if client else None


async def buffered(receive: Receive, limit: int) -> tuple[bytes | None, Receive]:
    """The request's whole body (None when it is over `limit` bytes or the client left), and
    a `receive` that hands the app every message read here, then the rest as it comes."""
    kept: list[Any] = []
    size = 0
    while True:
        message = await receive()
        kept.append(message)
        if message["type"] != "http.request":
            break  # http.disconnect
        size += len(message.get("body", b""))
        if size > limit or not message.get("more_body", False):
            break
    last = kept[-1]
    whole = last["type"] == "http.request" and not last.get("more_body") and size <= limit
    body = b"".join(m.get("body", b"") for m in kept if m["type"] == "http.request")
    pending = collections.deque(kept)

    async def replay() -> Any:
        return pending.popleft() if pending else await receive()

    return (body if whole else None), replay


class AuthMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP, ScopeType.WEBSOCKET)

    def __init__(
        self, services: Services, settings: Settings, nodes: NodeSignature | None = None
    ) -> None:
        self._services = services
        self._settings = settings
        self._nodes = nodes

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        ip = client_ip(scope, self._settings.trust_forwarded_for)
        scope.setdefault("state", {})["client_ip"] = ip
        scope["state"]["forwarded_by"], receive = await self._forwarded_by(scope, receive)
        handler = scope.get("route_handler")
        opt = getattr(handler, "opt", {}) or {}
        scope["auth"] = None if opt.get("public") else await self._resolve(scope, opt, ip)
        await next_app(scope, receive, send)

    async def _forwarded_by(self, scope: Scope, receive: Receive) -> tuple[str | None, Receive]:
        """The node that forwarded this request and signed it; None for any other request
        (one that merely carries the marker header included). The signature covers the
        body, so a request with the marker is read here first and handed on as it came."""
        marker = MARKER.lower().encode()
        if self._nodes is None or not any(k == marker for k, _ in scope["headers"]):
            return None, receive
        body: bytes | None = b""
        if scope["type"] == "http":
            body, receive = await buffered(receive, self._settings.max_body_bytes)
        if body is None:  # too large to be a forward the handler would take
            return None, receive
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        query = scope.get("query_string", b"").decode("latin-1")
        method, path = str(scope.get("method", "GET")), scope["path"]
        return self._nodes.sender(headers, method, path, query, body), receive

    async def _resolve(self, scope: Scope, opt: dict[str, Any], ip: str | None) -> Actor | None:
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        bearer = headers.get("authorization", "")
        api_key = headers.get("x-api-key")
        token = bearer[7:].strip() if bearer[:7].lower() == "bearer " else None
        if token is None and scope["type"] == "websocket":  # browsers can't set WS headers
            token = parse_qs(scope.get("query_string", b"").decode()).get("token", [None])[0]
        if api_key:
            actor = await self._services.api_keys.authenticate(api_key, ip)
        elif token:
            actor, expires = await self._services.sign_ins.authenticate_until(token)
            actor = Actor(actor.user_id, ip=ip, session_family=actor.session_family)
            scope["state"]["token_expires_at"] = expires  # live connections end with the token
        else:
            return None
        if opt.get("account"):
            return actor
        wanted = scope.get("path_params", {}).get("workspace_id") or headers.get("x-workspace-id")
        return await self._pick_workspace(actor, wanted)

    async def _pick_workspace(self, actor: Actor, wanted: str | None) -> Actor:
        if actor.api_key_id:  # bound to one workspace
            if wanted and wanted != actor.workspace_id:
                raise Forbidden("this API key belongs to another workspace")
            return actor
        assert actor.user_id is not None
        if wanted:
            role = await self._services.workspaces.role_of(actor.user_id, wanted)
            if role is None:
                raise Forbidden("you are not a member of this workspace")
            return actor.in_workspace(wanted, role)
        workspaces = await self._services.workspaces.list_for_user(actor.user_id)
        if not workspaces or workspaces[0].role is None:
            return actor
        return actor.in_workspace(workspaces[0].id, workspaces[0].role)


async def permission_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Checks the caller's role against the handler's `opt` (no I/O). Async on purpose:
    Litestar runs a sync guard in the shared thread pool, so every request waited for a free
    thread — behind model loads and embeddings (health took 7 s during recovery, issue 13)."""
    opt = handler.opt
    if opt.get("public"):
        return
    actor: Actor | None = connection.scope.get("auth")
    if actor is None:
        raise Unauthorized("sign in (Authorization: Bearer …) or send an X-API-Key")
    if opt.get("account"):
        if actor.user_id is None:
            raise Forbidden("this endpoint is for signed-in users, not API keys")
        return
    resource: Resource | None = opt.get("resource")
    if resource is None:
        raise Forbidden("this endpoint declares no permission; refusing by default")
    if actor.workspace_id is None or actor.role is None:
        raise Forbidden("you are not a member of any workspace; create or join one first")
    write = opt.get("write", connection.scope.get("method", "GET") not in READ_METHODS)
    if not can(actor.role, resource, write=write):
        verb = "change" if write else "see"
        raise Forbidden(f"the {actor.role.value} role may not {verb} {resource.value}")
