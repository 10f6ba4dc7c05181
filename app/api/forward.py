"""Live-channel requests reach the node that runs the session (issue 18, several nodes).

A WhatsApp session's live channel — its QR code, pairing, logout, the simulator's phone —
exists only on the node holding the session's lease. Behind a load balancer the client cannot
choose the node, so a node that does not run the session forwards the request to the one that
does (its `AIMY_NODE_URL`, published in `nodes.url`) and relays the answer: same method, path,
query and body, the caller's own credentials (`Authorization`, `X-API-Key`,
`X-Workspace-Id`) — the owner checks them as if the caller had come to it directly. The
forwarded request is signed by this node (`X-Aimy-Forwarded` and an HMAC with a key derived
from the shared master key: app/cluster/signing.py) and, when the signature holds, is never
forwarded again — if the lease moved meanwhile, the second node answers 409 instead of
bouncing the request around — nor counted again by the rate limits. A request that only
carries the header is an ordinary request. The dashboard forwards the same way
(`call_owner`), with a short-lived token for the signed-in user. An owner that
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

from typing import Any

from litestar import Request, Response

from app.cluster.forwarding import Owner, call_owner
from app.cluster.signing import NodeSignature

_PASSED = ("authorization", "x-api-key", "x-workspace-id", "content-type", "accept")


class Forwarded(Exception):
    """The owner node's answer to a forwarded request (raised out of the handler so that the
    handler keeps its declared return type; `relay` turns it into the response)."""

    def __init__(self, response: Response[bytes]) -> None:
        super().__init__("forwarded to the session's node")
        self.response = response


def relay(_request: Request[Any, Any, Any], exc: Forwarded) -> Response[bytes]:
    return exc.response


def forwarded(request: Request[Any, Any, Any]) -> bool:
    """The request came from another node, which signed it (never forward it again)."""
    return request.scope.get("state", {}).get("forwarded_by") is not None


async def forward(request: Request[Any, Any, Any], owner: Owner, nodes: NodeSignature) -> Forwarded:
    """Send `request` to `owner` and wrap its answer; Unavailable when it does not answer."""
    answer = await call_owner(
        owner,
        nodes,
        request.method,
        request.url.path,
        query=request.url.query,
        content=await request.body(),
        headers={k: v for k, v in request.headers.items() if k.lower() in _PASSED},
    )
    return Forwarded(
        Response(
            answer.content,
            status_code=answer.status,
            media_type=answer.media_type,
            headers=answer.headers,
        )
    )
