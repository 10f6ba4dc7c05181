"""The signed-in landing page (greeting, setup card, KPI cards) and the section pages later
issues fill in."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from ui import session, theme
from ui.components.error import ErrorLabel
from ui.page import Viewer, dashboard_page
from ui.pages import overview_cards
from ui.state import container

# sections whose pages arrive with later issues: what the user will find there
_COMING = {
    "flows": "The visual flow builder arrives with flows.",
    "broadcasts": "Broadcasts arrive with the broadcast scheduler.",
    "analytics": "Charts arrive with analytics.",
}
NO_SECTION = "Your role does not give access to this section."


def create() -> None:
    @ui.page("/")
    async def index():  # type: ignore[no-untyped-def]
        return RedirectResponse("/dashboard" if await session.current() else "/login")

    @dashboard_page("/dashboard", "Dashboard")
    async def overview(viewer: Viewer) -> None:
        ws = viewer.workspace
        if ws is None:
            ui.label("You are not in a workspace yet.").mark("no-workspace")
            ui.link("Create one", "/workspaces/new")
            return
        with ui.card().classes("w-full"):
            ui.label(f"Hello {viewer.user.name}").classes("text-xl").mark("greeting")
            ui.label(f"{ws.name} · your role: {ws.role}").classes("text-grey-7")
        await overview_cards.setup_card(viewer.actor)
        await overview_cards.kpi_cards(viewer.actor)

    for section, blurb in _COMING.items():
        _section_page(section, blurb)

    @dashboard_page("/workspaces/new", "New workspace")
    async def new_workspace(viewer: Viewer) -> None:
        with ui.card().classes("w-96"):
            name = ui.input("Workspace name").props("outlined autofocus").classes("w-full")
            error = ErrorLabel()

            async def submit() -> None:
                async def call():  # type: ignore[no-untyped-def]
                    services = container().services
                    return await services.workspaces.create(viewer.actor, name.value or "")

                ws = await error.run(call)
                if ws is not None:
                    session.choose_workspace(ws.id)
                    ui.navigate.to("/dashboard")

            ui.button("Create", on_click=submit).mark("submit")


def _section_page(section: str, blurb: str) -> None:
    path = f"/dashboard/{section}"
    resource = next(r for _, _, p, r in theme.SECTIONS if p == path)

    @dashboard_page(path, section.title(), resource, refusal=NO_SECTION)
    async def page(viewer: Viewer) -> None:
        ui.label(blurb).classes("text-grey-7").mark("coming")
