"""The tabbed settings area: one route per tab (seed §7), each a page with the same chrome.

`settings_page("team")` registers `/dashboard/settings/team`, signs the visitor in (or sends
them to /login), draws the frame and the tab bar, and hands the page body an actor that may
read the tab. Which tabs a role sees comes from the seed §14 matrix through `app.auth.can`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi.responses import RedirectResponse
from nicegui import ui

from app.auth import Resource, can
from app.domain import Actor
from app.domain import records as m
from ui import session, theme


@dataclass(frozen=True, slots=True)
class Tab:
    key: str
    label: str
    icon: str
    resource: Resource  # what the tab shows; reading it needs read access

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
    Tab("webhooks", "Webhooks", "webhook", Resource.SETTINGS),
    Tab("billing", "Billing", "credit_card", Resource.BILLING),
]
FORBIDDEN = "Your role doesn't give access to settings. Ask an owner or admin of this workspace."


def visible_tabs(actor: Actor) -> list[Tab]:
    """Tabs the actor may read; none at all without settings access (AGENT, VIEWER)."""
    if actor.role is None or not can(actor.role, Resource.SETTINGS, write=False):
        return []
    return [t for t in TABS if can(actor.role, t.resource, write=False)]


def may_write(actor: Actor, resource: Resource) -> bool:
    return actor.role is not None and can(actor.role, resource, write=True)


Body = Callable[[Actor, m.Workspace], Awaitable[None]]


def settings_page(key: str) -> Callable[[Body], Body]:
    """Decorator: register `body` as the settings tab `key`."""
    tab = next(t for t in TABS if t.key == key)

    def register(body: Body) -> Body:
        @ui.page(tab.path, title=f"{tab.label} · Settings · Aimywhatsapp")
        async def page():  # type: ignore[no-untyped-def]
            current = await session.current()
            if current is None:
                return RedirectResponse("/login")
            actor, user, workspaces = current
            with theme.frame("Settings", actor, user, workspaces):
                tabs = visible_tabs(actor)
                ws = next((w for w in workspaces if w.id == actor.workspace_id), None)
                if ws is None or tab not in tabs:
                    ui.label(FORBIDDEN).classes("text-grey-8").mark("forbidden")
                    return None
                _tab_bar(tabs, tab)
                await body(actor, ws)
            return None

        return body

    return register


def _tab_bar(tabs: list[Tab], current: Tab) -> None:
    with (
        ui.tabs(value=current.key)
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
