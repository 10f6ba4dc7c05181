"""Pages, one module per area; each exposes `create()` which registers its routes."""

from __future__ import annotations


def register_pages() -> None:
    from ui.pages import auth, dashboard, inbox, settings, simulator

    auth.create()
    dashboard.create()
    inbox.create()
    simulator.create()
    settings.create()
