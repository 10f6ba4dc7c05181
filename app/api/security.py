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
        scope["state"]["forwarded_by"] = self._forwarded_by(scope)
        handler = scope.get("route_handler")
        opt = getattr(handler, "opt", {}) or {}
        scope["auth"] = None if opt.get("public") else await self._resolve(scope, opt, ip)
        await next_app(scope, receive, send)

    def _forwarded_by(self, scope: Scope) -> str | None:
        """The node that forwarded this request and signed it; None for any other request
        (one that merely carries the marker header included)."""
        marker = MARKER.lower().encode()
        if self._nodes is None or not any(k == marker for k, _ in scope["headers"]):
            return None
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        return self._nodes.sender(headers, str(scope.get("method", "GET")), scope["path"])

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
