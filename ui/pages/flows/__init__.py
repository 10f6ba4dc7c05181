"""`/dashboard/flows` (the list) and `/dashboard/flows/{id}` (the visual builder, issue 14.6).

Owners and admins build flows; agents and viewers see them read-only (seed §14: flows R).
"""

from __future__ import annotations

from nicegui import ui

from app.domain import DomainError, Resource
from ui.page import Viewer, dashboard_page
from ui.pages.flows.editor import Editor, load_choices
from ui.pages.flows.listing import FlowList
from ui.state import container


def create() -> None:
    @dashboard_page("/dashboard/flows", "Flows", Resource.FLOWS)
    async def flows(viewer: Viewer) -> None:
        listing = FlowList(viewer.actor)
        await listing.draw()

    @dashboard_page("/dashboard/flows/{flow_id}", "Flow", Resource.FLOWS, heading="Flow builder")
    async def flow_builder(viewer: Viewer, flow_id: str) -> None:
        viewer.content.classes(remove="max-w-6xl")
        try:
            flow = await container().services.flows.get(viewer.actor, flow_id)
        except DomainError as exc:
            ui.label(exc.detail).classes("text-negative").mark("flow-error")
            return
        Editor(viewer.actor, flow, await load_choices(viewer.actor)).draw()
