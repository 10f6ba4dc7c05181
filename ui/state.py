"""The one link from pages to the container, set once when the dashboard is mounted."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.container import Container

_container: Container | None = None


def set_container(container: Container) -> None:
    global _container
    _container = container


def container() -> Container:
    if _container is None:
        raise RuntimeError("the dashboard is not mounted")
    return _container
