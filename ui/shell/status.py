"""The WhatsApp connection badge of the header (seed §7 `SessionStatusBadge`): 🟢 a number is
connected, 🟡 one is connecting or waiting for its QR scan, 🔴 none is linked or all are down.

The tooltip lists every session; `whatsapp:status` events keep it live without a reload.
"""

from __future__ import annotations

from nicegui import background_tasks, context, ui

from app.domain import Actor, Resource, SessionStatus
from app.events import names
from app.events.bus import Event
from ui.components.live import listen
from ui.state import container

CONNECTING = {SessionStatus.CONNECTING, SessionStatus.QR_READY}
# state -> (colour, short text)
STATES = {
    "connected": ("positive", "Connected"),
    "connecting": ("warning", "Connecting"),
    "disconnected": ("negative", "Not connected"),
}


def overall(statuses: list[str]) -> str:
    """One word for many sessions: any connected wins, then any on its way, else down."""
    if SessionStatus.CONNECTED in statuses:
        return "connected"
    if any(s in CONNECTING for s in statuses):
        return "connecting"
    return "disconnected"


class ConnectionBadge:
    """Shown to roles that may read WhatsApp sessions (owner, admin); a link to their page."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.sessions: dict[str, tuple[str, str]] = {}  # id -> (name, status)
        self.state = "disconnected"
        with (
            ui.link(target="/dashboard/settings/whatsapp")
            .classes("no-underline text-white")
            .mark("wa-badge") as self.root
        ):
            with ui.row().classes("items-center gap-1 no-wrap px-2 py-1 rounded bg-white/10"):
                self.dot = ui.icon("circle").classes("text-xs")
                self.label = ui.label().classes("text-sm gt-xs").mark("wa-badge-label")
            with ui.tooltip() as self.tooltip:
                self.detail = ui.label().classes("whitespace-pre-line").mark("wa-badge-detail")
        self._render()
        client = context.client

        async def load() -> None:
            with client:
                await self.reload()

        background_tasks.create(load(), name="wa-badge")
        assert actor.workspace_id is not None
        listen(actor, {names.WHATSAPP_STATUS}, self._on_status)

    async def reload(self) -> None:
        listed = await container().services.sessions.list(self.actor)
        self.sessions = {s.id: (s.display_name or s.account_id, str(s.status)) for s in listed}
        self._render()

    async def _on_status(self, event: Event) -> None:
        session_id = event.data.get("sessionId", "")
        if session_id not in self.sessions:
            await self.reload()  # a new session: learn its name
            return
        name, _ = self.sessions[session_id]
        self.sessions[session_id] = (name, str(event.data.get("status", "")))
        self._render()

    def _render(self) -> None:
        self.state = overall([status for _, status in self.sessions.values()])
        colour, text = STATES[self.state]
        self.dot.classes(replace=f"text-xs text-{colour}")
        self.label.text = text
        self.root.props(f'aria-label="WhatsApp: {text}" data-state={self.state}')
        if not self.sessions:
            self.detail.text = "No WhatsApp number linked yet."
        else:
            rows = self.sessions.values()
            self.detail.text = "\n".join(f"{n}: {s.replace('_', ' ').lower()}" for n, s in rows)


def connection_badge(actor: Actor) -> ConnectionBadge | None:
    return ConnectionBadge(actor) if actor.may(Resource.WHATSAPP) else None
