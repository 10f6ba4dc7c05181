"""`/dashboard/broadcasts/{id}` (seed §7 Broadcast detail): live progress, every recipient
with its state (replies link to the conversation in the inbox), and pause / resume / cancel
— or, for a draft, send and delete."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from app.domain import Actor, DomainError, NotFound, Page, Resource
from app.domain import broadcasts as b
from app.events import Event, names
from ui.components import PagedTable, confirm
from ui.components.live import listen
from ui.page import Viewer, dashboard_page
from ui.pages.broadcasts._common import NO_ACCESS, counts_text, status_badge
from ui.state import container

COLUMNS = [
    {"name": "name", "label": "Contact", "field": "name", "align": "left"},
    {"name": "phone", "label": "Phone", "field": "phone", "align": "left"},
    {"name": "status", "label": "Status", "field": "status", "align": "left"},
    {"name": "when", "label": "Last change", "field": "when", "align": "left"},
    {"name": "error", "label": "Why", "field": "error", "align": "left"},
]
FILTERS = {
    "": "Everyone", "PENDING": "Pending", "SENT": "Sent", "DELIVERED": "Delivered",
    "READ": "Read", "REPLIED": "Replied", "FAILED": "Failed", "OPTED_OUT": "Opted out",
}  # fmt: skip

# a recipient who got the message links to the conversation in the inbox
CHAT_LINK = (
    '<q-td :props="props">{{ props.value }} <a v-if="props.row.conversation" '
    ":href=\"'/dashboard/inbox/' + props.row.conversation\" "
    'class="q-ml-sm text-primary">open chat</a></q-td>'
)


def create() -> None:
    @dashboard_page(
        "/dashboard/broadcasts/{broadcast_id}", "Broadcast", Resource.BROADCASTS, refusal=NO_ACCESS
    )
    async def page(viewer: Viewer, broadcast_id: str) -> None:
        await BroadcastDetail.build(viewer.actor, broadcast_id[:64])


def _row(r: b.BroadcastRecipient) -> dict[str, Any]:
    when = r.replied_at or r.read_at or r.delivered_at or r.sent_at or r.queued_at
    return {
        "id": r.id,
        "name": r.name or "",
        "phone": r.phone_number,
        "status": r.status.lower().replace("_", " "),
        "when": f"{when:%Y-%m-%d %H:%M:%S}" if when else "",
        "error": r.error or "",
        "conversation": r.conversation_id or "",
    }


class BroadcastDetail:
    summary: Any  # ui.refreshable over `_summary`, made once the page is drawn
    table: PagedTable

    def __init__(self, actor: Actor, broadcast_id: str) -> None:
        self.actor = actor
        self.id = broadcast_id
        self.service = container().services.broadcasts
        self.filter = ""

    @classmethod
    async def build(cls, actor: Actor, broadcast_id: str) -> None:
        self = cls(actor, broadcast_id)
        ui.link("← All broadcasts", "/dashboard/broadcasts").classes("text-sm").mark("back")
        try:
            item = await self.service.get(actor, broadcast_id)
        except NotFound:
            ui.label("This broadcast does not exist (or was deleted).").mark("not-found")
            return
        ui.page_title(f"{item.name} · Broadcasts · Aimywhatsapp")
        self.summary = ui.refreshable(self._summary)
        await self.summary(item)
        with ui.card().classes("w-full gap-2"):
            with ui.row().classes("w-full items-center gap-2"):
                ui.label("Recipients").classes("text-lg font-semibold")
                ui.space()
                ui.select(FILTERS, value="", on_change=self._filtered).props(
                    "outlined dense"
                ).classes("w-40").mark("recipient-filter")
            self.table = PagedTable(COLUMNS, self._fetch, _row, page_size=50)
            self.table.table.add_slot(
                "body-cell-status",
                CHAT_LINK,
            )  # fmt: skip
            self.table.mark("recipients")
        await self.table.load(1)

        async def moved(event: Event) -> None:
            if event.data.get("broadcastId") == self.id:
                await self.summary.refresh(await self.service.get(self.actor, self.id))
                await self.table.load(self.table.page)

        listen(actor, [names.BROADCAST_PROGRESS], moved)

    async def _fetch(self, page: int, size: int) -> Page[b.BroadcastRecipient]:
        return await self.service.recipients(
            self.actor, self.id, page=page, page_size=size, status=self.filter or None
        )

    async def _filtered(self, event: Any) -> None:
        self.filter = event.value or ""
        await self.table.load(1)

    async def _summary(self, item: b.Broadcast) -> None:
        may = self.actor.may(Resource.BROADCASTS, write=True)
        with ui.card().classes("w-full gap-2").mark("summary"):
            with ui.row().classes("w-full items-center gap-2"):
                ui.label(item.name).classes("text-xl font-semibold")
                status_badge(item.status).mark("status")
                ui.space()
                if may:
                    self._actions(item)
            ui.label(item.message).classes("whitespace-pre-wrap text-grey-9").mark("message")
            if item.media_url:
                ui.label(f"Media: {item.media_url}").classes("text-xs text-grey-7 break-all")
            if item.scheduled_at and item.status == "SCHEDULED":
                ui.label(f"Scheduled for {item.scheduled_at:%Y-%m-%d %H:%M} UTC").classes("text-sm")
            if item.error:
                ui.label(item.error).classes("text-negative text-sm")
            if item.stats is not None:
                stats = item.stats
                ui.linear_progress(value=stats.percent / 100, show_value=False).props(
                    "rounded size=10px color=primary"
                ).mark("progress")
                with ui.row().classes("w-full items-center gap-3 text-sm"):
                    ui.label(f"{stats.percent}%").classes("font-semibold").mark("percent")
                    ui.label(counts_text(stats)).classes("text-grey-8").mark("counts")
                    if stats.pending:
                        ui.label(f"{stats.pending} still to send").classes("text-grey-7")

    def _actions(self, item: b.Broadcast) -> None:
        status = item.status
        buttons: list[tuple[str, str, str, Any]] = []
        if status == "DRAFT":
            buttons = [("Send now", "send", "primary", self.service.send),
                       ("Delete", "delete", "negative", self._delete)]  # fmt: skip
        elif status == "SENDING":
            buttons = [("Pause", "pause", "warning", self.service.pause),
                       ("Cancel", "cancel", "negative", self._cancel)]  # fmt: skip
        elif status == "PAUSED":
            buttons = [("Resume", "play_arrow", "primary", self.service.resume),
                       ("Cancel", "cancel", "negative", self._cancel)]  # fmt: skip
        elif status == "SCHEDULED":
            buttons = [("Cancel", "cancel", "negative", self._cancel)]
        for label, icon, color, call in buttons:
            ui.button(label, icon=icon, on_click=lambda c=call: self._act(c)).props(
                f"unelevated dense color={color}"
            ).mark(f"action-{label.lower().replace(' ', '-')}")

    async def _act(self, call: Any) -> None:
        try:
            result = await call(self.actor, self.id)
        except DomainError as exc:
            ui.notify(exc.detail, type="negative")
            return
        if isinstance(result, b.Broadcast):
            await self.summary.refresh(result)
            await self.table.load(1)

    async def _cancel(self, actor: Actor, broadcast_id: str) -> b.Broadcast | None:
        question = "Cancel this broadcast?"
        if not await confirm(question, "Nobody not yet messaged will be.", action="Cancel it"):
            return None
        return await self.service.cancel(actor, broadcast_id)

    async def _delete(self, actor: Actor, broadcast_id: str) -> None:
        if await confirm("Delete this draft?", action="Delete"):
            await self.service.delete(actor, broadcast_id)
            ui.navigate.to("/dashboard/broadcasts")
