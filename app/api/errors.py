"""Every error leaves as RFC 9457 problem JSON (`application/problem+json`), mapped here once.

Domain errors carry user-fit messages; Litestar's HTTP errors (validation, 404 route, 405, 413,
429) keep their status; anything else is a 500 with a generic message and a logged traceback.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from app.api.forward import Forwarded, relay
from app.domain import DomainError, RateLimited
from app.services.errors import as_domain_error

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"
_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def problem(
    status: int, detail: str, *, headers: dict[str, str] | None = None, **extra: Any
) -> Response[dict[str, Any]]:
    body = {"type": "about:blank", "status": status, "title": _TITLES.get(status, "Error")}
    body["detail"] = detail
    body.update({k: v for k, v in extra.items() if v is not None})
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def domain_error_handler(request: Request, exc: DomainError) -> Response[dict[str, Any]]:
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
    return problem(exc.status, exc.detail, headers=headers, instance=request.url.path, **exc.extra)


def http_error_handler(request: Request, exc: HTTPException) -> Response[dict[str, Any]]:
    status = exc.status_code
    if status >= 500:
        log.error("HTTP %s on %s: %s", status, request.url.path, exc.detail)
    errors = exc.extra if isinstance(exc, ValidationException) else None
    headers = dict(exc.headers or {})
    if status == 429 and "Retry-After" not in headers:
        headers["Retry-After"] = headers.get("RateLimit-Reset", "60")
    detail = exc.detail
    if isinstance(exc, ValidationException) and detail.startswith("Validation failed for"):
        detail = "the request is not valid: " + "; ".join(_describe(e) for e in errors or [])
    return problem(status, detail, headers=headers, instance=request.url.path, errors=errors)


def _describe(error: Any) -> str:
    if isinstance(error, dict):
        key = error.get("key")
        return f"{key}: {error.get('message')}" if key else str(error.get("message"))
    return str(error)


def unexpected_error_handler(request: Request, exc: Exception) -> Response[dict[str, Any]]:
    known = as_domain_error(exc)  # a race past a service's own check (two sign-ups at once)
    if known is not None:
        return domain_error_handler(request, known)
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(
        HTTP_500_INTERNAL_SERVER_ERROR,
        "something went wrong on our side; the error was logged",
        instance=request.url.path,
    )


EXCEPTION_HANDLERS = {
    Forwarded: relay,  # a live-channel request answered by the session's node (app/api/forward)
    DomainError: domain_error_handler,
    HTTPException: http_error_handler,
    Exception: unexpected_error_handler,
}
__all__ = ["EXCEPTION_HANDLERS", "PROBLEM_JSON", "MediaType", "problem"]
