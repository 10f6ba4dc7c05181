"""Live-channel requests reach the node that runs the session (issue 18, several nodes).

A WhatsApp session's live channel — its QR code, pairing, logout, the simulator's phone —
exists only on the node holding the session's lease. Behind a load balancer the client cannot
choose the node, so a node that does not run the session forwards the request to the one that
does (its `AIMY_NODE_URL`, published in `nodes.url`) and relays the answer: same method, path,
query and body, the caller's own credentials (`Authorization`, `X-API-Key`,
`X-Workspace-Id`) — the owner checks them as if the caller had come to it directly. The
forwarded request carries `X-Aimy-Forwarded` and is never forwarded again: if the lease moved
meanwhile, the second node answers 409 instead of bouncing the request around. An owner that
does not answer (dead, lease not yet expired) is a 503 that says so; retrying after the lease
timeout reaches the node that took the session over.

The node URL does not go through the SSRF guard (`app/net/ssrf.py`). That guard is for URLs a
workspace chooses (webhooks, knowledge-base links, AI base URLs): a tenant must not make the
server call into its private network. A node URL is set by the operator (`AIMY_NODE_URL`, the
same trust as `AIMY_DATABASE_URL`), is usually private (loopback, a compose network) by
design — the guard would refuse exactly the addresses it must reach — and only the database,
which the nodes share, says which node URL a request goes to.
"""

from __future__ import annotations

from typing import Any, Protocol

import httpx
from litestar import Request, Response

from app.domain import Unavailable

MARKER = "X-Aimy-Forwarded"
_PASSED = ("authorization", "x-api-key", "x-workspace-id", "content-type", "accept")
# connecting is quick or the node is gone; a pairing code can take WhatsApp a while to give
TIMEOUT = httpx.Timeout(30.0, connect=2.0)


class Owner(Protocol):
    """The node that runs a session (`SessionService.elsewhere`)."""

    @property
    def node_id(self) -> str: ...

    @property
    def url(self) -> str: ...


class Forwarded(Exception):
    """The owner node's answer to a forwarded request (raised out of the handler so that the
    handler keeps its declared return type; `relay` turns it into the response)."""

    def __init__(self, response: Response[bytes]) -> None:
        super().__init__("forwarded to the session's node")
        self.response = response


def relay(_request: Request[Any, Any, Any], exc: Forwarded) -> Response[bytes]:
    return exc.response


def forwarded(request: Request[Any, Any, Any]) -> bool:
    """The request already came from another node (never forward it again)."""
    return MARKER.lower() in request.headers


async def forward(request: Request[Any, Any, Any], owner: Owner, node_id: str) -> Forwarded:
    """Send `request` to `owner` and wrap its answer; Unavailable when it does not answer."""
    if not owner.url:
        raise Unavailable(f"the session runs on node {owner.node_id}, whose address is unknown")
    url = owner.url + request.url.path + (f"?{request.url.query}" if request.url.query else "")
    headers = {k: v for k, v in request.headers.items() if k.lower() in _PASSED}
    headers[MARKER] = node_id
    body = await request.body()
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT, trust_env=False) as client:
            answer = await client.request(request.method, url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise Unavailable(
            f"the session runs on node {owner.node_id}, which did not answer "
            f"({type(exc).__name__}); if that node is down, another takes the session over "
            "within the lease timeout — retry then",
            extra={"node": owner.node_id},
        ) from None
    kept = {
        k: v
        for k, v in answer.headers.items()
        if k.lower() in ("retry-after", "location", "ratelimit-reset")
    }
    kept["X-Aimy-Node"] = owner.node_id
    return Forwarded(
        Response(
            answer.content,
            status_code=answer.status_code,
            media_type=answer.headers.get("content-type", "application/json"),
            headers=kept,
        )
    )
