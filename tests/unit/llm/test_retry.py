"""The shared retry loop, with a recording sleep instead of real waiting."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.llm import LLMError, LLMUnavailable
from app.llm.retry import RetryPolicy, Verdict, call_with_retries


class Flaky:
    """Fails with the given verdicts in turn, then returns "ok"."""

    def __init__(self, *verdicts: Verdict) -> None:
        self.verdicts = list(verdicts)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.verdicts:
            raise RuntimeError(self.verdicts.pop(0).reason)
        return "ok"


def classify_by_message(verdicts: dict[str, Verdict]) -> Callable[[Exception], Verdict]:
    return lambda exc: verdicts[str(exc)]


async def run(flaky: Flaky, policy: RetryPolicy) -> tuple[str, list[float]]:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    table = {v.reason: v for v in flaky.verdicts}
    result = await call_with_retries(flaky, policy, classify_by_message(table), sleep=sleep)
    return result, slept


async def test_backoff_grows_exponentially_and_is_capped() -> None:
    busy = Verdict(True, "busy")
    flaky = Flaky(*[busy] * 5)
    policy = RetryPolicy(max_retries=5, backoff_base=1.0, max_backoff=3.0)
    result, slept = await run(flaky, policy)
    assert result == "ok" and flaky.calls == 6
    for seconds, expected in zip(slept, [1, 2, 3, 3, 3], strict=True):
        assert 0.8 * expected <= seconds <= 1.2 * expected  # ±20% jitter


async def test_retry_after_overrides_a_shorter_backoff() -> None:
    flaky = Flaky(Verdict(True, "429", retry_after=7.0))
    _, slept = await run(flaky, RetryPolicy(backoff_base=0.1))
    assert slept == [7.0]


async def test_exhausted_retries_raise_unavailable_with_the_last_reason() -> None:
    flaky = Flaky(Verdict(True, "a"), Verdict(True, "b"), Verdict(True, "c"))
    with pytest.raises(LLMUnavailable, match="c") as info:
        await run(flaky, RetryPolicy(max_retries=2))
    assert info.value.attempts == 3 and flaky.calls == 3


async def test_final_errors_are_not_retried() -> None:
    flaky = Flaky(Verdict(False, "HTTP 401: bad key"))
    with pytest.raises(LLMError, match="401") as info:
        await run(flaky, RetryPolicy(max_retries=5))
    assert not isinstance(info.value, LLMUnavailable) and flaky.calls == 1
