"""The entry points: `/` (where a visitor starts), the signed-in landing page (greeting,
setup card, KPI cards) and creating another workspace."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from app.domain import records as m
from ui import session
from ui.components.error import ErrorLabel
from ui.page import Viewer, dashboard_page
from ui.pages import auth, overview_cards
from ui.state import container


def create() -> None:
    @ui.page("/")
    async def index() -> RedirectResponse:
        return RedirectResponse(await auth.first_page())

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

    @dashboard_page("/workspaces/new", "New workspace")
    async def new_workspace(viewer: Viewer) -> None:
        with ui.card().classes("w-96"):
            name = ui.input("Workspace name").props("outlined autofocus").classes("w-full")
            error = ErrorLabel()

            async def submit() -> None:
                async def call() -> m.Workspace:
                    services = container().services
                    return await services.workspaces.create(viewer.actor, name.value or "")

                ws = await error.run(call)
                if ws is not None:
                    session.choose_workspace(ws.id)
                    ui.navigate.to("/dashboard")

            ui.button("Create", on_click=submit).mark("submit")
