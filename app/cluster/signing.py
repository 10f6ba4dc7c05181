"""Requests one node forwards to another carry a signature, so that "forwarded by a node"
means it (issue 18, app/api/forward.py).

A forwarded request is treated differently in two ways: it is never forwarded again, and it
is not counted a second time by the rate limits (the node the client reached counted it).
Both must hold only for a real node, so the request carries `X-Aimy-Forwarded: <node>`,
`X-Aimy-Forwarded-At: <unix seconds>` and `X-Aimy-Signature`: an HMAC-SHA256 over the method,
the path, the query string, the SHA-256 of the body, that time and the node — so a captured
forward cannot be replayed with other parameters or another body — with a key every node
derives from the master key they already share (`Cipher.derive`: the session credentials in
the database are encrypted with it, so a node without it could not run a session anyway). A
request whose signature is missing, wrong, or older (or further ahead) than `MAX_AGE_S` is an
ordinary request: counted, and forwarded if its session runs elsewhere — the header alone
changes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)

MARKER = "X-Aimy-Forwarded"
SIGNED_AT = "X-Aimy-Forwarded-At"
SIGNATURE = "X-Aimy-Signature"
PURPOSE = "aimy node forwarding v1"  # what `Cipher.derive` derives the key for
# a forward is signed the moment it is sent; the slack covers clocks a little apart
MAX_AGE_S = 30.0


class NodeSignature:
    """Signs what this node forwards; says which node signed what arrives."""

    def __init__(
        self,
        key: bytes,
        node_id: str,
        *,
        max_age_s: float = MAX_AGE_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key = key
        self.node_id = node_id
        self._max_age_s = max_age_s
        self._clock = clock

    def headers(self, method: str, path: str, query: str = "", body: bytes = b"") -> dict[str, str]:
        """The headers that make this request (`path`, `query` without its `?`, `body`) a
        signed forward from this node."""
        at = str(int(self._clock()))
        return {
            MARKER: self.node_id,
            SIGNED_AT: at,
            SIGNATURE: self._mac(method, path, query, body, at, self.node_id),
        }

    def sender(
        self,
        headers: Mapping[str, str],
        method: str,
        path: str,
        query: str = "",
        body: bytes = b"",
    ) -> str | None:
        """The node that forwarded this request (`headers` with lower-case names), or None
        when it is not a forward: no marker, or a bad or stale signature — one made for
        another method, path, query or body included (logged)."""
        node = headers.get(MARKER.lower())
        if node is None:
            return None
        at = headers.get(SIGNED_AT.lower(), "")
        given = headers.get(SIGNATURE.lower(), "")
        fresh = at.isdigit() and abs(self._clock() - int(at)) <= self._max_age_s
        if fresh and hmac.compare_digest(given, self._mac(method, path, query, body, at, node)):
            return node
        log.warning(
            "a request to %s %s says it was forwarded by node %r, but its signature is %s; "
            "treated as a direct request",
            method, path, node[:64], "stale" if at.isdigit() and not fresh else "not valid",
        )  # fmt: skip
        return None

    def _mac(self, method: str, path: str, query: str, body: bytes, at: str, node: str) -> str:
        digest = hashlib.sha256(body).hexdigest()
        message = "\n".join((method.upper(), path, query, digest, at, node)).encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()
