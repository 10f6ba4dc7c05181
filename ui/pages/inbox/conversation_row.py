"""One row of the inbox's conversation list (seed §7 ConversationItem).

A row's elements are built once; `show(conversation, preview)` sets their texts, colours and
visibility, so a new message changes a few texts of one row, and a conversation that scrolls
onto the page takes over the row of the one that left it (ui/components/redraw.py `KeyedRows`).
"""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from app.domain import ConversationStatus
from app.domain import conversations as c
from ui.components.format import when

ROW = (
    "w-full no-wrap items-center gap-2 px-3 py-2 cursor-pointer hover:bg-grey-2"
    " border-b border-gray-200"
)
DOT = "w-2 h-2 rounded-full shrink-0"
_DOT = {"POSITIVE": "bg-green-5", "NEUTRAL": "bg-grey-5", "NEGATIVE": "bg-red-5"}
STATUS_LABEL = {
    ConversationStatus.OPEN: "Open",
    ConversationStatus.WAITING_HUMAN: "Waiting for a human",
    ConversationStatus.PENDING_APPROVAL: "Needs approval",
    ConversationStatus.RESOLVED: "Resolved",
}


def contact_name(conv: c.Conversation) -> str:
    contact = conv.contact
    if contact is None:
        return "Unknown contact"
    phone = contact.phone_number
    return contact.name or contact.display_name or (phone if phone.startswith("+") else f"+{phone}")


class ConversationRow(ui.row):
    def __init__(self, selected: str | None, on_open: Callable[[str], None]) -> None:
        super().__init__()
        self.conversation_id = ""
        self._selected = selected
        self.classes(ROW)
        self.on("click", lambda: on_open(self.conversation_id))
        with self:
            self.dot = ui.element("div").classes(DOT)
            with self.dot:
                self.mood = ui.tooltip("")
            with ui.column().classes("gap-0 grow min-w-0"):
                with ui.row().classes("w-full no-wrap items-baseline justify-between gap-2"):
                    self.name = ui.label().classes("font-medium truncate")
                    self.time = ui.label().classes("text-xs text-grey-6 shrink-0")
                with ui.row().classes("w-full no-wrap items-center justify-between gap-2"):
                    self.preview = ui.label().classes("text-sm text-grey-7 truncate")
                    self.status = ui.badge().props("outline color=grey-8")
                    self.unread = ui.badge().props("rounded color=positive").mark("unread-badge")

    def show(self, conv: c.Conversation, preview: str) -> None:
        """Make the row show `conv` (whichever conversation it showed before)."""
        if conv.id != self.conversation_id:
            self.conversation_id = conv.id
            self.mark(f"conversation conversation-{conv.id}")
            chosen = " bg-green-1" if conv.id == self._selected else ""
            self.classes(replace=ROW + chosen)
        self.dot.classes(replace=f"{DOT} {_DOT.get(str(conv.sentiment), 'bg-grey-3')}")
        self.mood.text = f"Sentiment: {str(conv.sentiment or 'unknown').lower()}"
        self.name.text = contact_name(conv)
        self.time.text = when(conv.last_message_at, "")[5:16]
        self.preview.text = preview or " "
        self.status.text = STATUS_LABEL[conv.status]
        self.status.set_visibility(conv.status != ConversationStatus.OPEN)
        self.unread.text = str(conv.unread_count)
        self.unread.set_visibility(bool(conv.unread_count))
