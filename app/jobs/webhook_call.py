"""One webhook attempt: sign the body, POST it through the SSRF guard, judge the answer.

The signature (README "Webhooks" shows how receivers check it):

    X-Aimy-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>

`t` is the moment of this attempt, so a receiver can refuse replays older than a few minutes;
the body is the stored text, byte for byte the same on every attempt. `X-Aimy-Event` names the
type and `X-Aimy-Delivery` the delivery (the same on its retries: receivers dedupe on it).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from dataclasses import dataclass

import httpx

USER_AGENT = "Aimywhatsapp-Webhooks/1"
GONE = 410  # the receiver says this endpoint is no more: stop at once


def signature(secret: str, body: str, timestamp: int) -> str:
    """The `X-Aimy-Signature` header value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def headers(
    secret: str, body: str, event_type: str, delivery_id: str, timestamp: int
) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Aimy-Event": event_type,
        "X-Aimy-Delivery": delivery_id,
        "X-Aimy-Signature": signature(secret, body, timestamp),
    }


@dataclass(frozen=True, slots=True)
class Attempt:
    """What one attempt came to: a 2xx is `ok`; `status_code` is None when no answer came
    (refused by the SSRF guard, connection failed, timed out)."""

    status_code: int | None
    duration_ms: int
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def gone(self) -> bool:
        return self.status_code == GONE


async def post(
    http: httpx.AsyncClient,
    url: str,
    secret: str,
    body: str,
    event_type: str,
    delivery_id: str,
    *,
    timeout_s: float,
) -> Attempt:
    """POST once, within `timeout_s` in all. `http` is an `Egress.httpx_client`: each
    connection, redirects included, is checked against the SSRF guard after DNS, and a
    refusal is an error like any other. Of the answer only the first KB is read (a short
    answer whole, so the connection is kept for the next delivery)."""
    started = time.monotonic()
    sent = headers(secret, body, event_type, delivery_id, int(time.time()))
    try:
        async with asyncio.timeout(timeout_s):
            async with http.stream("POST", url, content=body.encode(), headers=sent) as response:
                snippet = await _head(response)  # read (a short answer whole: keep-alive)
                if 200 <= response.status_code < 300:
                    return Attempt(response.status_code, _ms(started))
    except (TimeoutError, httpx.TimeoutException):
        return Attempt(None, _ms(started), "timed out waiting for the receiver")
    except Exception as exc:  # refused by the guard, DNS, connection, TLS, too many redirects
        return Attempt(None, _ms(started), _describe(exc))
    error = f"HTTP {response.status_code}" + (f": {snippet}" if snippet else "")
    return Attempt(response.status_code, _ms(started), error)


async def _head(response: httpx.Response, limit: int = 1024) -> str:
    """The start of an error answer, as one line (a receiver's reason, for the log)."""
    data = b""
    async for chunk in response.aiter_bytes():
        data += chunk
        if len(data) >= limit:
            break
    return " ".join(data[:limit].decode("utf-8", "replace").split())[:200]


def _ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def _describe(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TooManyRedirects):
        return "too many redirects"
    if isinstance(exc, httpx.ConnectError):
        return f"could not connect: {text}"
    return text[:500]
