"""The simulator's "Try a flow" card (`/dashboard/simulator?flow=<id>`, the builder's button).

It says what starts the flow — for a keyword flow, what to type — and lets an owner or admin
start it at once for the simulated customer (`FlowRunService.trigger`, as the API does), once
that customer has a conversation with the bot.
"""

from __future__ import annotations

from nicegui import ui

from app.domain import Actor, DomainError, Resource
from app.schemas.flows import TriggerBody
from ui.pages.flows.editor import trigger_text
from ui.pages.simulator.phone import Phone
from ui.state import container


async def try_flow_card(actor: Actor, flow_id: str, phone: Phone) -> None:
    services = container().services
    try:
        flow = await services.flows.get(actor, flow_id)
    except DomainError as exc:
        ui.label(exc.detail).classes("text-negative").mark("try-flow-error")
        return
    with ui.card().classes("w-full max-w-[380px] self-center gap-1").mark("try-flow"):
        ui.label(f"Trying “{flow.name}”").classes("font-semibold")
        if not flow.is_active:
            ui.label("It is not active: activate it in the builder first.").classes(
                "text-negative text-sm"
            )
            return
        keywords = flow.trigger_config.get("keywords") or []
        if flow.trigger_type == "KEYWORD" and keywords:
            hint = f"Send “{keywords[0]}” to start it."
        else:
            hint = f"It starts on {trigger_text(str(flow.trigger_type), flow.trigger_config, {})}."
        ui.label(hint).classes("text-grey-8 text-sm").mark("try-flow-hint")

        async def start() -> None:
            if phone.conversation_id is None:
                ui.notify("Send the bot a first message, then start the flow here.")
                return
            conversation = await services.conversation_queries.get(actor, phone.conversation_id)
            try:
                await services.flow_runs.trigger(
                    actor, flow.id, TriggerBody(contact_id=conversation.contact_id)
                )
            except DomainError as exc:
                ui.notify(exc.detail, type="negative")

        if actor.may(Resource.FLOWS, write=True):
            ui.button("Start it now", icon="play_arrow", on_click=start).props("flat dense").mark(
                "try-flow-start"
            )
