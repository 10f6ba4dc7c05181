"""An inline error line under a form, fed by the domain error a service raised."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from nicegui import ui

from app.domain import DomainError

T = TypeVar("T")


class ErrorLabel(ui.label):
    """Hidden until a service call fails; then shows the error's message (fit for users)."""

    def __init__(self, marker: str = "form-error") -> None:
        super().__init__()
        self.classes("text-negative text-sm").mark(marker)
        self.set_visibility(False)

    def show(self, message: str) -> None:
        self.text = message
        self.set_visibility(True)

    def clear_error(self) -> None:
        self.set_visibility(False)

    async def run(self, call: Callable[[], Awaitable[T]]) -> T | None:
        """Await a service call; a DomainError is shown here and None returned."""
        self.clear_error()
        try:
            return await call()
        except DomainError as exc:
            self.show(exc.detail)
            return None
