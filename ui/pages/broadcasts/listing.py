"""`/dashboard/broadcasts` (seed §7 Broadcast list): every broadcast with its status and a
progress bar that moves with `broadcast:progress`."""

from __future__ import annotations

from nicegui import ui

from app.domain import Actor, Resource
from app.domain import broadcasts as b
from app.events import Event, names
from ui.components.live import listen
from ui.page import Viewer, dashboard_page
from ui.pages.broadcasts._common import NO_ACCESS, counts_text, status_badge
from ui.state import container


def create() -> None:
    @dashboard_page("/dashboard/broadcasts", "Broadcasts", Resource.BROADCASTS, refusal=NO_ACCESS)
    async def page(viewer: Viewer) -> None:
        await broadcast_list(viewer.actor)


async def broadcast_list(actor: Actor) -> None:
    service = container().services.broadcasts
    if actor.may(Resource.BROADCASTS, write=True):
        with ui.row().classes("w-full justify-end"):
            ui.button(
                "New broadcast",
                icon="add",
                on_click=lambda: ui.navigate.to("/dashboard/broadcasts/new"),
            ).props("unelevated color=primary").mark("new-broadcast")

    @ui.refreshable
    async def rows() -> None:
        listed = await service.list(actor)
        if not listed:
            ui.label(
                "No broadcasts yet. A broadcast sends one message to many contacts — all of "
                "them, those with a label, or the ones you pick — within your number's send "
                "budget."
            ).classes("text-grey-8").mark("empty")
            return
        for item in listed:
            _row(item)

    await rows()

    async def moved(event: Event) -> None:
        rows.refresh()

    listen(actor, [names.BROADCAST_PROGRESS], moved)


def _row(item: b.Broadcast) -> None:
    link = f"/dashboard/broadcasts/{item.id}"
    with (
        ui.card()
        .classes("w-full gap-1 p-3 cursor-pointer")
        .on("click", lambda: ui.navigate.to(link))
        .mark(f"broadcast-{item.name}")
    ):
        with ui.row().classes("w-full items-center gap-2 no-wrap"):
            ui.link(item.name, link).classes("text-base font-semibold min-w-0 truncate")
            status_badge(item.status).mark("status")
            ui.space()
            when = item.completed_at or item.sent_at or item.scheduled_at or item.created_at
            ui.label(f"{when:%Y-%m-%d %H:%M} UTC").classes("text-xs text-grey-7")
        ui.label(item.message).classes("text-sm text-grey-8 truncate w-full")
        if item.stats is not None:
            stats = item.stats
            ui.linear_progress(value=stats.percent / 100, show_value=False).props(
                "rounded size=8px color=primary"
            ).mark("progress")
            ui.label(counts_text(stats)).classes("text-xs text-grey-8").mark("counts")
