"""A button that shows it is working: spinning, and deaf to a second click, until done."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from nicegui import ui


@contextmanager
def busy(button: ui.button) -> Iterator[None]:
    """`with busy(save): await …` — for calls that can take seconds (the first FAQ or question
    loads the embedding model), so a click is visibly taken and not repeated."""
    button.props("loading")
    button.disable()
    try:
        yield
    finally:
        button.props(remove="loading")
        button.enable()
