"""Pages, one module per area; each exposes `create()` which registers its routes."""

from __future__ import annotations


def register_pages() -> None:
    from ui.pages import (
        auth,
        contacts,
        dashboard,
        flows,
        inbox,
        knowledge,
        onboarding,
        settings,
        simulator,
    )

    auth.create()
    contacts.create()
    dashboard.create()
    flows.create()
    knowledge.create()
    inbox.create()
    simulator.create()
    onboarding.create()
    settings.create()
