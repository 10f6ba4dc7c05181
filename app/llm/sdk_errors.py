"""Sort official-SDK exceptions (anthropic and openai share their shape) into retry verdicts."""

from __future__ import annotations

import json
from email.utils import parsedate_to_datetime
from types import ModuleType
from typing import Any

from app.llm.retry import Verdict

RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 529})


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
    if isinstance(exc, sdk.APITimeoutError):
        return Verdict(True, "timed out")
    if isinstance(exc, sdk.APIConnectionError):
        return Verdict(True, f"connection failed: {exc}")
    if isinstance(exc, sdk.APIStatusError):
        status = exc.status_code
        reason = f"HTTP {status}: {_short(exc)}"
        if status in RETRYABLE_STATUS:
            return Verdict(True, reason, retry_after_seconds(exc.response.headers))
        return Verdict(False, reason)
    if isinstance(exc, sdk.APIResponseValidationError | json.JSONDecodeError | MalformedResponse):
        return Verdict(True, f"malformed response: {exc}")
    if isinstance(exc, sdk.APIError):
        return Verdict(False, str(exc))
    return Verdict(False, f"{type(exc).__name__}: {exc}")


def _short(exc: Exception) -> str:
    text = str(getattr(exc, "message", "") or exc)
    return text if len(text) <= 200 else text[:197] + "..."
