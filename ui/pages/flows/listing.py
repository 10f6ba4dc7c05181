"""`/dashboard/flows`: the workspace's flows with their switch and counters, and "New flow"
(blank, or one of the three starters `FlowService.templates` offers)."""

from __future__ import annotations

import msgspec
from nicegui import ui

from app.domain import Actor, DomainError, FlowTrigger, Resource
from app.domain import flows as f
from app.schemas.flows import FlowCreateBody
from ui.components.confirm import confirm
from ui.components.format import when
from ui.pages.flows.editor import trigger_text
from ui.state import container

BLANK = "__blank__"


class FlowList(ui.column):
    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor
        self.classes("w-full gap-3")
        self.writable = actor.may(Resource.FLOWS, write=True)

    async def draw(self) -> None:
        self.clear()
        page = await container().services.flows.list(self.actor, page=1, page_size=200)
        with self:
            with ui.row().classes("w-full items-center"):
                ui.label(
                    "Flows answer before the AI: a menu, a lead form, an order lookup. "
                    "A contact in a flow gets the flow until it ends."
                ).classes("text-grey-7 text-sm grow")
                if self.writable:
                    ui.button("New flow", icon="add", on_click=self.new_flow).mark("new-flow")
            if not page.items:
                ui.label("No flows yet.").classes("text-grey-7").mark("no-flows")
            for flow in page.items:
                self._row(flow)

    def _row(self, flow: f.FlowSummary) -> None:
        with ui.card().classes("w-full").mark(f"flow-{flow.id}"):
            with ui.row().classes("w-full items-center gap-4 no-wrap"):
                with ui.column().classes("gap-0 grow min-w-0"):
                    ui.link(flow.name, f"/dashboard/flows/{flow.id}").classes(
                        "text-base font-semibold"
                    ).mark("flow-link")
                    trigger = trigger_text(str(flow.trigger_type), flow.trigger_config, {})
                    ui.label(f"Starts on {trigger} · {flow.node_count} steps").classes(
                        "text-grey-7 text-sm"
                    )
                with ui.row().classes("gap-4 text-sm text-grey-8 no-wrap").mark("flow-stats"):
                    for label, value in (
                        ("entered", flow.entered),
                        ("completed", flow.completed),
                        ("dropped", flow.dropped),
                        ("in flow now", flow.active),
                    ):
                        with ui.column().classes("gap-0 items-center"):
                            ui.label(str(value)).classes("text-base font-semibold")
                            ui.label(label).classes("text-xs text-grey-7")
                    last = when(flow.last_run_at) if flow.last_run_at else "never"
                    with ui.column().classes("gap-0 items-center"):
                        ui.label(last).classes("text-sm")
                        ui.label("last run").classes("text-xs text-grey-7")
                switch = ui.switch("Active", value=flow.is_active).mark("flow-active")
                if not self.writable:
                    switch.disable()
                switch.on_value_change(lambda e, flow=flow: self._toggle(flow, bool(e.value)))
                if self.writable:
                    ui.button(icon="delete", on_click=lambda flow=flow: self._delete(flow)).props(
                        "flat round color=negative"
                    ).tooltip("Delete").mark("flow-delete")

    async def _toggle(self, flow: f.FlowSummary, on: bool) -> None:
        if on == flow.is_active:
            return
        services = container().services
        try:
            if on:
                await services.flows.activate(self.actor, flow.id)
            else:
                await services.flows.deactivate(self.actor, flow.id)
        except DomainError as exc:
            ui.notify(
                f"{flow.name}: {exc.detail}. Open it to see the problems on its steps.",
                type="negative",
                multi_line=True,
            )
        await self.draw()

    async def _delete(self, flow: f.FlowSummary) -> None:
        if not await confirm(
            f"Delete {flow.name}?",
            "Its runs end; contacts in it leave it.",
            action="Delete",
        ):
            return
        await container().services.flows.delete(self.actor, flow.id)
        await self.draw()

    async def new_flow(self) -> None:
        starters = await container().services.flows.templates(self.actor)
        options = {BLANK: "Blank flow (a keyword starts it)"} | {
            t.key: f"{t.name} — {t.description}" for t in starters
        }
        with (
            ui.dialog() as dialog,
            ui.card().classes("w-full max-w-lg gap-3").mark("new-flow-dialog"),
        ):
            ui.label("New flow").classes("text-lg font-semibold")
            choice = ui.radio(options, value=BLANK).mark("new-flow-choice")
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Cancel", on_click=lambda: dialog.submit(None)).props("flat")
                ui.button("Create", on_click=lambda: dialog.submit(choice.value)).mark(
                    "new-flow-create"
                )
        dialog.open()
        picked = await dialog
        dialog.delete()
        if picked is None:
            return
        try:
            flow = await create_flow(self.actor, str(picked))
        except DomainError as exc:
            ui.notify(exc.detail, type="negative")
            return
        ui.navigate.to(f"/dashboard/flows/{flow.id}")


async def create_flow(actor: Actor, choice: str) -> f.Flow:
    """A blank flow (its trigger node only) or a starter."""
    services = container().services
    if choice != BLANK:
        return await services.flows.create(actor, FlowCreateBody(template=choice))
    body = msgspec.convert(
        {
            "name": "New flow",
            "triggerType": FlowTrigger.KEYWORD.value,
            "triggerConfig": {"keywords": [], "match": "exact"},
            "nodes": [{"id": "trigger", "type": "trigger", "position": {"x": 0, "y": 0}}],
            "edges": [],
        },
        FlowCreateBody,
    )
    return await services.flows.create(actor, body)
