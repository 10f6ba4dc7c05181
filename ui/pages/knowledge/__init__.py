"""The knowledge area (seed §7 `/dashboard/knowledge`, `/dashboard/knowledge/:id`)."""

from __future__ import annotations


def create() -> None:
    from ui.pages.knowledge import detail, index

    index.create()
    detail.create()
