"""The authenticated chrome: header (search, connection badge, notifications, workspace
switcher, user menu) and the sidebar of seed §7's sections, showing only what the viewer's
role may see."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from nicegui import ElementFilter, ui
from nicegui.events import ValueChangeEventArguments

from app.domain import Actor, Resource
from app.domain import records as m
from ui import features, session, shell, state

BRAND = "#128C7E"


@dataclass(frozen=True, slots=True)
class Section:
    """A sidebar entry: what the page shows (its resource) and, for a page still being built,
    the feature switch that must be on before it is listed (ui/features.py)."""

    label: str
    icon: str
    path: str
    resource: Resource
    feature: str | None = None


SECTIONS = [
    Section("Dashboard", "space_dashboard", "/dashboard", Resource.ANALYTICS),
    Section("Inbox", "forum", "/dashboard/inbox", Resource.CONVERSATIONS),
    Section("Simulator", "phone_iphone", "/dashboard/simulator", Resource.CONVERSATIONS),
    Section("Contacts", "contacts", "/dashboard/contacts", Resource.CONTACTS),
    Section("Knowledge", "menu_book", "/dashboard/knowledge", Resource.KNOWLEDGE),
    Section("Flows", "account_tree", "/dashboard/flows", Resource.FLOWS, "flows"),
    Section("Broadcasts", "campaign", "/dashboard/broadcasts", Resource.BROADCASTS, "broadcasts"),
    Section("Analytics", "insights", "/dashboard/analytics", Resource.ANALYTICS, "analytics"),
    Section("Settings", "settings", "/dashboard/settings", Resource.SETTINGS),
]


def visible_sections(actor: Actor) -> list[Section]:
    """The entries the actor's role may see, of features that work."""
    return [s for s in SECTIONS if features.available(s.feature) and actor.may(s.resource)]


@contextmanager
def frame(
    title: str, actor: Actor, user: m.User, workspaces: list[m.Workspace]
) -> Iterator[ui.column]:
    """`with frame('Inbox', …):` — page content goes inside."""
    ui.colors(primary=BRAND)
    ui.query("body").classes("bg-grey-1")
    with ui.header(elevated=True).classes("items-center justify-between no-wrap px-3 py-1"):
        with ui.row().classes("items-center gap-2 no-wrap"):
            menu = ui.button(icon="menu").props("flat round color=white")
            ui.label("Aimywhatsapp").classes("text-lg font-semibold gt-xs")
        in_workspace = actor.workspace_id is not None and actor.role is not None
        if in_workspace:
            shell.header_search()
        with ui.row().classes("items-center gap-1 no-wrap"):
            if in_workspace:
                shell.connection_badge(actor)
                if actor.may(Resource.NOTIFICATIONS):
                    shell.NotificationBell(actor)
            _workspace_switcher(actor, workspaces)
            _user_menu(user)
    with ui.left_drawer(bordered=True).props("width=220 breakpoint=768") as drawer:
        menu.on_click(drawer.toggle)
        drawer.mark("sidebar")
        for section in visible_sections(actor):
            with ui.link(target=section.path).classes("w-full no-underline text-grey-9"):
                with ui.row().classes("items-center gap-3 px-3 py-2 rounded hover:bg-grey-3"):
                    ui.icon(section.icon).classes("text-xl")
                    ui.label(section.label)
    with ui.column().classes("w-full max-w-6xl mx-auto p-4 gap-4") as content:
        # on phones the header has no room for it: the page's own title says where you are
        ui.label(title).classes("text-xl sm:text-2xl font-semibold")
        yield content


def rename_workspace(saved: m.Workspace) -> None:
    """The header's workspace switcher shows a new name without a reload."""
    for switcher in ElementFilter(kind=ui.select, marker="workspace-switcher", local_scope=False):
        options = dict(switcher.options)
        options[saved.id] = saved.name
        switcher.set_options(options, value=saved.id)


def _workspace_switcher(actor: Actor, workspaces: list[m.Workspace]) -> None:
    if not workspaces:
        return

    def switch(event: ValueChangeEventArguments) -> None:
        session.choose_workspace(event.value)
        ui.navigate.reload()

    ui.select({w.id: w.name for w in workspaces}, value=actor.workspace_id, on_change=switch).props(
        "dense dark standout options-dense"
    ).classes("w-28 sm:w-44").mark("workspace-switcher")


def _user_menu(user: m.User) -> None:
    async def logout() -> None:
        await session.sign_out()
        ui.navigate.to("/login")

    with ui.button(icon="account_circle").props("flat round color=white").mark("user-menu"):
        with ui.menu():
            ui.menu_item(f"{user.name} · {user.email}").props("disable")
            ui.menu_item("New workspace", on_click=lambda: ui.navigate.to("/workspaces/new"))
            ui.separator()
            ui.menu_item("Sign out", on_click=logout).mark("sign-out")
            if _desktop():
                ui.menu_item("Quit Aimywhatsapp", on_click=_quit).mark("quit")


def _desktop() -> bool:
    """Quit belongs to the desktop app: on a server, stopping is the service manager's job."""
    container = state.container()
    return not container.settings.headless and container.quit_hook is not None


def _quit() -> None:
    ui.notify("Aimywhatsapp is shutting down — you can close this tab.", type="info")
    # outside this click's handler, so the notification goes out before the server stops
    asyncio.get_running_loop().call_later(0.3, state.container().request_quit)
