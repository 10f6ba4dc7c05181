"""Seed §14 rate limits with Litestar's own RateLimitMiddleware, keyed the way the seed says.

- credential endpoints (register, login, refresh, password reset): 5/min per client IP;
- every other endpoint: 200/min per workspace (per user on account routes, per IP when
  anonymous);
- the KB test query (`opt={"kb_test_limited": True}`: it embeds and searches, the costliest
  read): 20/min per workspace, on top of the 200.

Litestar's middleware sends RateLimit-* headers but no Retry-After; the subclass adds it.

A request another node forwarded (and signed: app/cluster/signing.py) was counted on the
node the client reached; it is not counted again where it lands.

Litestar counts in process memory (behind an in-process lock): with several nodes on one
Postgres (issue 18) each node would allow the whole limit. On Postgres the counts live in
the database instead (`SharedCounts`, app/db/repos/rate_limits.py: one upsert per request,
atomic across nodes), in the same fixed windows with the same headers. SQLite is one
process by design and keeps Litestar's memory store (no write per request on the desktop).
"""

from __future__ import annotations

import time
from typing import Any

from litestar import Request
from litestar.exceptions import TooManyRequestsException
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.rate_limit import (
    DURATION_VALUES,
    CacheObject,
    RateLimitConfig,
    RateLimitMiddleware,
)
from litestar.types import ASGIApp, Receive, Scope, Send

from app.services.rate_limits import SharedCounts
from app.settings import Settings


class _RetryAfterRateLimit(RateLimitMiddleware):
    def create_response_headers(self, cache_object: CacheObject) -> dict[str, str]:
        headers = super().create_response_headers(cache_object)
        if len(cache_object.history) >= self.max_requests:
            headers["Retry-After"] = str(max(1, cache_object.reset - int(time.time())))
        return headers


class _SharedRateLimit(_RetryAfterRateLimit):
    """The same limit, counted in the database: every node sees every node's requests."""

    def __init__(self, app: ASGIApp, config: RateLimitConfig, counts: SharedCounts) -> None:
        super().__init__(app, config)
        self.counts = counts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request: Request[Any, Any, Any] = scope["litestar_app"].request_class(scope)
        if await self.should_check_request(request=request):
            key = self.cache_key_from_request(request)
            hits, reset = await self.counts.hit(key, DURATION_VALUES[self.unit], time.time())
            # the headers count requests as Litestar's history does: this one included
            seen = CacheObject([int(time.time())] * min(hits, self.max_requests), reset)
            if hits > self.max_requests:
                raise TooManyRequestsException(headers=self.create_response_headers(seen))
            send = self.create_send_wrapper(send=send, cache_object=seen)
        await self.app(scope, receive, send)


def _ip(request: Request[Any, Any, Any]) -> str:
    return request.scope.get("state", {}).get("client_ip") or "unknown"


def _auth_key(request: Request[Any, Any, Any]) -> str:
    return f"auth-ip:{_ip(request)}"


def _api_key(request: Request[Any, Any, Any]) -> str:
    actor = request.scope.get("auth")
    if actor is not None and actor.workspace_id:
        return f"workspace:{actor.workspace_id}"
    if actor is not None and actor.user_id:  # account routes (/auth/me, /workspaces) have none
        return f"user:{actor.user_id}"
    return f"api-ip:{_ip(request)}"


def _counted_elsewhere(request: Request[Any, Any, Any]) -> bool:
    """Forwarded by another node, which counted it (a signed forward only)."""
    return request.scope.get("state", {}).get("forwarded_by") is not None


async def _is_credential_route(request: Request[Any, Any, Any]) -> bool:
    opt = request.scope["route_handler"].opt
    return bool(opt.get("auth_limited")) and not _counted_elsewhere(request)


def _kb_test_key(request: Request[Any, Any, Any]) -> str:
    return f"kb-test:{_api_key(request)}"


async def _is_kb_test_route(request: Request[Any, Any, Any]) -> bool:
    opt = request.scope["route_handler"].opt
    return bool(opt.get("kb_test_limited")) and not _counted_elsewhere(request)


async def _is_api_route(request: Request[Any, Any, Any]) -> bool:
    opt = request.scope["route_handler"].opt
    return not opt.get("auth_limited") and not opt.get("public") and not _counted_elsewhere(request)


def rate_limit_middleware(settings: Settings, counts: SharedCounts | None = None) -> list[Any]:
    """The limiters, to be placed after the auth middleware (they key on its result);
    counted by `counts` when given (Postgres), else in this process's memory."""
    auth = RateLimitConfig(
        rate_limit=("minute", settings.rate_limit_auth_per_min),
        identifier_for_request=_auth_key,
        check_throttle_handler=_is_credential_route,
        middleware_class=_RetryAfterRateLimit,
    )
    api = RateLimitConfig(
        rate_limit=("minute", settings.rate_limit_api_per_min),
        identifier_for_request=_api_key,
        check_throttle_handler=_is_api_route,
        middleware_class=_RetryAfterRateLimit,
    )
    kb_test = RateLimitConfig(
        rate_limit=("minute", settings.rate_limit_kb_test_per_min),
        identifier_for_request=_kb_test_key,
        check_throttle_handler=_is_kb_test_route,
        middleware_class=_RetryAfterRateLimit,
    )
    configs = (auth, api, kb_test)
    if counts is None:
        return [c.middleware for c in configs]
    return [DefineMiddleware(_SharedRateLimit, config=c, counts=counts) for c in configs]
