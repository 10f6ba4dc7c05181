"""Domain errors. Services raise these; `app/api/errors.py` maps them to problem JSON once."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a user can cause; carries a message fit to show them."""

    status = 400
    title = "Bad Request"

    def __init__(self, detail: str, *, extra: dict[str, object] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra or {}


class Invalid(DomainError):
    status = 422
    title = "Unprocessable Content"


class Unauthorized(DomainError):
    status = 401
    title = "Unauthorized"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


class NotFound(DomainError):
    status = 404
    title = "Not Found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class RateLimited(DomainError):
    status = 429
    title = "Too Many Requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, extra={"retryAfter": retry_after})
        self.retry_after = retry_after


class Unavailable(DomainError):
    """Something we depend on (WhatsApp, a model server) cannot be reached now: retry later."""

    status = 503
    title = "Service Unavailable"


class BadGateway(DomainError):
    """Something we depend on answered with an error."""

    status = 502
    title = "Bad Gateway"


class Abandoned(Exception):
    """Work given up because the process is stopping (a local model aborted between tokens).

    Not a user's error and not a failure to report: the caller leaves the message unrouted,
    so it is answered once after the restart.
    """
