"""The `webhook` node's HTTP call, through the one SSRF guard.

`client` is the guard's client factory (`Egress.httpx_client`): its transport resolves and
checks the host on every connection and connects to the checked address, so a URL templated
at run time — or a DNS answer that changed since activation — still cannot reach the server's
own network. Redirects are not followed (a 3xx is a failure): a webhook answers where it is.
The whole call is bounded by the node's timeout; the response kept is at most `MAX_BYTES`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

import httpx

from app.flows.executor import WebhookCall, WebhookResult

log = logging.getLogger(__name__)
MAX_BYTES = 64 * 1024
USER_AGENT = "Aimywhatsapp-Flows/1"


class WebhookCaller:
    def __init__(self, client: Callable[..., httpx.AsyncClient]) -> None:
        self._make = client
        self._http: httpx.AsyncClient | None = None

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = self._make(follow_redirects=False, headers={"User-Agent": USER_AGENT})
        return self._http

    async def __call__(self, call: WebhookCall) -> WebhookResult:
        try:
            async with asyncio.timeout(call.timeout_s):
                return await self._send(call)
        except TimeoutError:
            return WebhookResult(False, error=f"no answer within {call.timeout_s:g} s")
        except httpx.HTTPError as exc:
            return WebhookResult(False, error=f"{type(exc).__name__}: {exc}"[:300])
        except Exception as exc:  # the guard's refusal (Blocked, FetchError): its own words
            log.info("flow webhook to %s refused: %s", call.url[:200], exc)
            return WebhookResult(False, error=str(exc)[:300])

    async def _send(self, call: WebhookCall) -> WebhookResult:
        content = call.body.encode() if call.body is not None else None
        request = self._client().build_request(
            call.method, call.url, headers=call.headers, content=content
        )
        response = await self._client().send(request, stream=True)
        try:
            data = bytearray()
            async for chunk in response.aiter_bytes():
                data.extend(chunk)
                if len(data) >= MAX_BYTES:
                    break
        finally:
            await response.aclose()
        value = _value(bytes(data[:MAX_BYTES]), response.headers.get("content-type", ""))
        if not 200 <= response.status_code < 300:
            return WebhookResult(False, response.status_code, value, f"HTTP {response.status_code}")
        return WebhookResult(True, response.status_code, value)

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None


def _value(data: bytes, content_type: str) -> Any:
    """A JSON response as its value (so `{{vars.x.field}}` works), anything else as text."""
    text = data.decode("utf-8", errors="replace")
    if "json" in content_type.lower() or text.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(text)
        except ValueError:
            pass
    return text
