"""The signed-in landing page (greeting, setup card, KPI cards) and the section pages later
issues fill in."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from ui import session, theme
from ui.components.error import ErrorLabel
from ui.pages import overview_cards
from ui.state import container

# sections whose pages arrive with later issues: what the user will find there
_COMING = {
    "flows": "The visual flow builder arrives with flows.",
    "broadcasts": "Broadcasts arrive with the broadcast scheduler.",
    "analytics": "Charts arrive with analytics.",
}


def create() -> None:
    @ui.page("/")
    async def index():  # type: ignore[no-untyped-def]
        return RedirectResponse("/dashboard" if await session.current() else "/login")

    @ui.page("/dashboard", title="Dashboard · Aimywhatsapp")
    async def overview():  # type: ignore[no-untyped-def]
        current = await session.current()
        if current is None:
            return RedirectResponse("/login")
        actor, user, workspaces = current
        with theme.frame("Dashboard", actor, user, workspaces):
            if actor.workspace_id is None:
                ui.label("You are not in a workspace yet.").mark("no-workspace")
                ui.link("Create one", "/workspaces/new")
                return None
            ws = next(w for w in workspaces if w.id == actor.workspace_id)
            with ui.card().classes("w-full"):
                ui.label(f"Hello {user.name}").classes("text-xl").mark("greeting")
                ui.label(f"{ws.name} · your role: {ws.role}").classes("text-grey-7")
            await overview_cards.setup_card(actor)
            await overview_cards.kpi_cards(actor)
        return None

    for section, blurb in _COMING.items():
        _section_page(section, blurb)

    @ui.page("/workspaces/new", title="New workspace · Aimywhatsapp")
    async def new_workspace():  # type: ignore[no-untyped-def]
        current = await session.current()
        if current is None:
            return RedirectResponse("/login")
        actor, user, workspaces = current
        with theme.frame("New workspace", actor, user, workspaces), ui.card().classes("w-96"):
            name = ui.input("Workspace name").props("outlined autofocus").classes("w-full")
            error = ErrorLabel()

            async def submit() -> None:
                async def call():  # type: ignore[no-untyped-def]
                    return await container().services.workspaces.create(actor, name.value or "")

                ws = await error.run(call)
                if ws is not None:
                    session.choose_workspace(ws.id)
                    ui.navigate.to("/dashboard")

            ui.button("Create", on_click=submit).mark("submit")
        return None


def _section_page(section: str, blurb: str) -> None:
    @ui.page(f"/dashboard/{section}", title=f"{section.title()} · Aimywhatsapp")
    async def page():  # type: ignore[no-untyped-def]
        current = await session.current()
        if current is None:
            return RedirectResponse("/login")
        actor, user, workspaces = current
        allowed = {s[2] for s in theme.visible_sections(actor)}
        with theme.frame(section.title(), actor, user, workspaces):
            if f"/dashboard/{section}" not in allowed:
                ui.label("Your role does not give access to this section.").mark("forbidden")
            else:
                ui.label(blurb).classes("text-grey-7").mark("coming")
        return None
