"""One signed request to the node that runs a session (issue 18): what the API's forwarding
(app/api/forward.py) and the dashboard's (app/services/live_sessions.py) both send.

The node URL does not go through the SSRF guard (`app/net/ssrf.py`): it is set by the
operator (`AIMY_NODE_URL`), usually private by design, and only the database the nodes share
says which node URL a request goes to (see app/api/forward.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from app.cluster.signing import NodeSignature
from app.domain import Unavailable

# connecting is quick or the node is gone; a pairing code can take WhatsApp a while to give
TIMEOUT = httpx.Timeout(30.0, connect=2.0)


class Owner(Protocol):
    """The node that runs a session (`SessionService.elsewhere`)."""

    @property
    def node_id(self) -> str: ...

    @property
    def url(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Answer:
    """What the owner node answered."""

    status: int
    content: bytes
    media_type: str
    headers: dict[str, str]  # the few worth relaying, and `X-Aimy-Node`

    def json(self) -> Any:
        return httpx.Response(self.status, content=self.content).json()


async def call_owner(
    owner: Owner,
    nodes: NodeSignature,
    method: str,
    path: str,
    *,
    query: str = "",
    content: bytes = b"",
    headers: dict[str, str] | None = None,
) -> Answer:
    """Send one signed request to `owner`; Unavailable when it does not answer."""
    if not owner.url:
        raise Unavailable(f"the session runs on node {owner.node_id}, whose address is unknown")
    url = httpx.URL(owner.url + path + (f"?{query}" if query else ""))
    # signed as sent: httpx may re-encode the query, and the owner checks what arrives
    signed = nodes.headers(method, path, url.query.decode("latin-1"), content)
    sent = {**(headers or {}), **signed}
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT, trust_env=False) as client:
            answer = await client.request(method, url, content=content, headers=sent)
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
    media_type = answer.headers.get("content-type", "application/json")
    return Answer(answer.status_code, answer.content, media_type, kept)
