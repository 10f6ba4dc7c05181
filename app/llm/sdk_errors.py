"""Sort official-SDK exceptions (anthropic and openai share their shape) into retry verdicts.

A verdict's reason reaches the user ("Test model", the escalation log) and says what happened
in our words, from the status code — never the server's body: the base URL is the workspace's
choice, and a body echoed back would turn the server into a way to read internal pages.
"""

from __future__ import annotations

import json
from email.utils import parsedate_to_datetime
from types import ModuleType
from typing import Any

from app.llm.retry import Verdict
from app.net import FetchError

RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 529})
_MEANING = {
    400: "the server refused the request; check the model name",
    401: "the server refused the API key",
    403: "the API key may not use this model or endpoint",
    404: "not found; check the base URL and the model name",
    408: "the server timed out",
    409: "the server reported a conflict",
    413: "the request was too large for the server",
    422: "the server could not process the request; check the model name",
    425: "the server asked to retry later",
    429: "rate limited or out of quota",
    529: "the provider is overloaded",
}


class MalformedResponse(ValueError):
    """The server answered 2xx with a body that is not the API's shape."""


def retry_after_seconds(headers: Any) -> float | None:
    """Seconds from `retry-after-ms`, `retry-after` (seconds or HTTP date); None if absent."""
    if headers is None:
        return None
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return max(0.0, float(raw_ms) / 1000)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        from app.domain import utcnow

        return max(0.0, (parsedate_to_datetime(raw) - utcnow()).total_seconds())
    except (TypeError, ValueError):
        return None


def classify_sdk_error(exc: Exception, sdk: ModuleType) -> Verdict:
    """Timeouts, connection errors, 408/409/429/5xx and garbled bodies are worth another try."""
    refused = _guard_refusal(exc)
    if refused is not None:  # the SSRF guard said no: retrying cannot change that
        return Verdict(False, str(refused))
    if isinstance(exc, sdk.APITimeoutError):
        return Verdict(True, "timed out")
    if isinstance(exc, sdk.APIConnectionError):
        return Verdict(True, "connection failed (the server did not answer)")
    if isinstance(exc, sdk.APIStatusError):
        status = exc.status_code
        reason = f"HTTP {status}: {describe_status(status)}"
        if status in RETRYABLE_STATUS:
            return Verdict(True, reason, retry_after_seconds(exc.response.headers))
        return Verdict(False, reason)
    if isinstance(exc, sdk.APIResponseValidationError | json.JSONDecodeError | MalformedResponse):
        return Verdict(True, f"malformed response: {exc}")
    if isinstance(exc, sdk.APIError):
        return Verdict(False, str(exc))
    return Verdict(False, f"{type(exc).__name__}: {exc}")


def describe_status(status: int) -> str:
    """What an HTTP error status means for a model call, in words (no body)."""
    if status in _MEANING:
        return _MEANING[status]
    return "the model server failed" if status >= 500 else "the server refused the request"


def _guard_refusal(exc: BaseException) -> FetchError | None:
    """The SSRF guard's error, when the SDK wrapped it as a connection error."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, FetchError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None
