"""Pages, one module per area; each exposes `create()` which registers its routes."""

from __future__ import annotations


def register_pages() -> None:
    from ui.pages import auth, dashboard, onboarding, settings

    auth.create()
    dashboard.create()
    onboarding.create()
    settings.create()
