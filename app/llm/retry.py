"""Retries with exponential backoff for provider calls, so a blip is invisible and an outage
is loud (`LLMUnavailable`) instead of a hung chat.

Adapters disable their SDK's own retries and go through `call_with_retries`, so every provider
shares one policy: per-attempt hard deadline, Retry-After honoured up to a cap, then give up.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from app.llm.base import LLMSettings
from app.llm.errors import LLMError, LLMUnavailable

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Verdict:
    """What an adapter says about a failure: worth retrying, why, and how long the server asked."""

    retryable: bool
    reason: str
    retry_after: float | None = None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_retries: int = 2
    timeout: float = 30.0
    backoff_base: float = 0.5
    max_backoff: float = 8.0
    max_retry_after: float = 30.0

    @classmethod
    def from_settings(cls, s: LLMSettings) -> RetryPolicy:
        return cls(s.max_retries, s.timeout, s.backoff_base, s.max_backoff, s.max_retry_after)

    def backoff(self, attempt: int) -> float:
        """Exponential delay (±20% jitter) before retry number `attempt` (1-based)."""
        delay = min(self.max_backoff, self.backoff_base * 2 ** (attempt - 1))
        return delay * (0.8 + 0.4 * random.random())


async def call_with_retries(
    attempt_fn: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    classify: Callable[[Exception], Verdict],
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Run `attempt_fn` until it succeeds, a failure is final, or retries run out."""
    attempts = 0
    while True:
        attempts += 1
        try:
            # A hard deadline on top of the SDK's own timeout: a server trickling bytes must not
            # keep a conversation waiting forever.
            async with asyncio.timeout(policy.timeout + 1.0):
                return await attempt_fn()
        except TimeoutError:
            verdict = Verdict(True, "timed out")
        except Exception as exc:
            verdict = classify(exc)
            if not verdict.retryable:
                raise LLMError(verdict.reason) from exc
        if attempts > policy.max_retries:
            raise LLMUnavailable(verdict.reason, attempts=attempts, retry_after=verdict.retry_after)
        delay = policy.backoff(attempts)
        if verdict.retry_after is not None:
            if verdict.retry_after > policy.max_retry_after:
                raise LLMUnavailable(
                    f"{verdict.reason}; server asks to wait {verdict.retry_after:.0f}s",
                    attempts=attempts,
                    retry_after=verdict.retry_after,
                )
            delay = max(delay, verdict.retry_after)
        await sleep(delay)
