"""Errors of the model layer. The engine turns any `LLMError` into a holding reply + escalation."""

from __future__ import annotations


class LLMError(Exception):
    """A model call failed in a way retrying will not fix (bad request, bad key, bad model)."""


class LLMUnavailable(LLMError):
    """The provider stayed unreachable, overloaded or broken after every retry."""

    def __init__(self, detail: str, *, attempts: int, retry_after: float | None = None) -> None:
        super().__init__(f"{detail} (after {attempts} attempt{'s' if attempts != 1 else ''})")
        self.detail = detail
        self.attempts = attempts
        self.retry_after = retry_after


class MissingExtra(ImportError):
    """An adapter's optional dependency is not installed; says which pip extra brings it."""

    def __init__(self, extra: str, *, package: str | None = None) -> None:
        what = f" ({package})" if package else ""
        super().__init__(
            f"This feature needs the optional '{extra}' extra{what}: "
            f"pip install 'aimywhatsapp[{extra}]'"
        )
        self.extra = extra
        self.package = package
