"""Pages, one module per area; each exposes `create()` which registers its routes."""

from __future__ import annotations


def register_pages() -> None:
    from ui.pages import (
        analytics,
        auth,
        broadcasts,
        contacts,
        dashboard,
        flows,
        inbox,
        knowledge,
        onboarding,
        settings,
        simulator,
    )

    analytics.create()
    auth.create()
    broadcasts.create()
    contacts.create()
    dashboard.create()
    flows.create()
    knowledge.create()
    inbox.create()
    simulator.create()
    onboarding.create()
    settings.create()
