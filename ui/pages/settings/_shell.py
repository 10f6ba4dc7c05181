"""The tabbed settings area: one route per tab (seed §7), each a page with the same chrome.

`settings_page("team")` registers `/dashboard/settings/team` as a `dashboard_page` (sign-in,
frame, settings access), draws the tab bar, and hands the page body an actor that may read
the tab. Which tabs a role sees comes from the seed §14 matrix through `Actor.may`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from nicegui import ui

from app.domain import Actor, Resource
from app.domain import records as m
from ui import features
from ui.page import Viewer, dashboard_page, forbidden


@dataclass(frozen=True, slots=True)
class Tab:
    key: str
    label: str
    icon: str
    resource: Resource  # what the tab shows; reading it needs read access
    feature: str | None = None  # a tab still being built: shown once ui/features.py says so

    @property
    def path(self) -> str:
        return f"/dashboard/settings/{self.key}"


TABS = [
    Tab("workspace", "Workspace", "business", Resource.WORKSPACE),
    Tab("team", "Team", "group", Resource.TEAM),
    Tab("api", "API keys", "key", Resource.SETTINGS),
    Tab("audit", "Audit log", "history", Resource.SETTINGS),
    Tab("bot", "Bot", "smart_toy", Resource.SETTINGS),
    Tab("whatsapp", "WhatsApp", "phone_iphone", Resource.WHATSAPP),
    Tab("webhooks", "Webhooks", "webhook", Resource.SETTINGS, "webhooks"),
    Tab("canned", "Canned replies", "quickreply", Resource.SETTINGS),
    Tab("billing", "Billing", "credit_card", Resource.BILLING),
]
FORBIDDEN = "Your role doesn't give access to settings. Ask an owner or admin of this workspace."


def visible_tabs(actor: Actor) -> list[Tab]:
    """Tabs the actor may read; none at all without settings access (AGENT, VIEWER)."""
    if not actor.may(Resource.SETTINGS):
        return []
    return [t for t in TABS if features.available(t.feature) and actor.may(t.resource)]


Body = Callable[[Actor, m.Workspace], Awaitable[None]]


def settings_page(key: str) -> Callable[[Body], Body]:
    """Decorator: register `body` as the settings tab `key` (not at all while its feature
    is switched off: there is no page to find until it works)."""
    tab = next(t for t in TABS if t.key == key)

    def register(body: Body) -> Body:
        if not features.available(tab.feature):
            return body
        title = f"{tab.label} · Settings"

        @dashboard_page(tab.path, title, Resource.SETTINGS, heading="Settings", refusal=FORBIDDEN)
        async def page(viewer: Viewer) -> None:
            tabs = visible_tabs(viewer.actor)
            if viewer.workspace is None or tab not in tabs:
                forbidden(FORBIDDEN)
                return
            _tab_bar(tabs, tab)
            await body(viewer.actor, viewer.workspace)

        return body

    return register


def _tab_bar(tabs: list[Tab], current: Tab) -> None:
    with (
        ui.tabs(value=current.key)  # type: ignore[arg-type]  # NiceGUI takes a tab's name too
        .props("inline-label outside-arrows mobile-arrows dense align=left active-color=primary")
        .classes("w-full text-grey-8 border-b")
        .mark("settings-tabs") as bar
    ):
        for tab in tabs:
            ui.tab(tab.key, tab.label, tab.icon).mark(f"tab-{tab.key}")
    bar.on_value_change(lambda e: ui.navigate.to(f"/dashboard/settings/{e.value}"))


class Section(ui.card):
    """A titled card; the pages stack a few. `actions` is the row right of the title."""

    def __init__(self, title: str, hint: str = "") -> None:
        super().__init__()
        self.classes("w-full gap-3")
        with self:
            with ui.row().classes("w-full items-center justify-between gap-2"):
                ui.label(title).classes("text-lg font-semibold")
                self.actions = ui.row().classes("items-center gap-2")
            if hint:
                ui.label(hint).classes("text-grey-7 text-sm")


section = Section
