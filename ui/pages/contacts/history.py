"""The contact's conversations (one per linked number), newest first, each with its last
message; a row opens the thread in the inbox."""

from __future__ import annotations

from nicegui import ui

from app.domain import Actor, Direction, Resource
from app.domain import conversations as c
from ui.components.format import when
from ui.state import container

SHOWN = 20
STATUS_COLOR = {"OPEN": "primary", "RESOLVED": "grey-7", "WAITING_HUMAN": "orange-8"}
SENDER = {"CONTACT": "", "BOT": "Bot: ", "HUMAN": "You: "}


class ConversationHistory(ui.card):
    @classmethod
    async def build(cls, actor: Actor, contact: c.Contact) -> ConversationHistory:
        history = cls()
        with history:
            ui.label("Conversations").classes("text-lg font-semibold")
            if not actor.may(Resource.CONVERSATIONS):
                ui.label("Your role does not show conversations.").classes("text-grey-7")
                return history
            services = container().services.conversation_queries
            page = await services.list(actor, contact_id=contact.id, page_size=SHOWN)
            for conversation in page.items:
                detail = await services.get(actor, conversation.id, page_size=1)
                _row(conversation, detail.messages[-1] if detail.messages else None)
            if not page.items:
                ui.label("No conversations yet.").classes("text-grey-7").mark("no-conversations")
            elif page.total > SHOWN:
                ui.label(f"The {SHOWN} most recent of {page.total}.").classes("text-grey-7 text-sm")
        return history

    def __init__(self) -> None:
        super().__init__()
        self.classes("w-full gap-1").mark("conversation-history")


def _row(conversation: c.Conversation, last: c.Message | None) -> None:
    status = str(conversation.status)
    link = ui.link(target=f"/dashboard/inbox/{conversation.id}").classes(
        "w-full no-underline text-grey-10"
    )
    with link.mark("conversation-link"):
        with ui.row().classes(
            "w-full items-center no-wrap gap-3 px-2 py-2 rounded hover:bg-grey-2 "
            "border-b border-gray-200"
        ):
            icon = "call_received" if last and last.direction == Direction.INBOUND else "call_made"
            ui.icon(icon if last else "chat_bubble_outline").classes("text-grey-6 text-lg")
            with ui.column().classes("gap-1 grow min-w-0"):
                text = (SENDER.get(str(last.sender_type), "") + _preview(last)) if last else ""
                ui.label(text or "No messages").classes("ellipsis w-full").mark("last-message")
                with ui.row().classes("items-center gap-2"):
                    ui.label(when(conversation.last_message_at)).classes("text-grey-7 text-xs")
                    ui.badge(status.replace("_", " ").lower()).props(
                        f"outline color={STATUS_COLOR.get(status, 'purple-7')}"
                    )
                    if conversation.unread_count:
                        ui.badge(f"{conversation.unread_count} unread").props("color=primary")


def _preview(message: c.Message) -> str:
    if message.content:
        return message.content[:140]
    if message.media_type:
        return f"[{str(message.media_type).lower()}]"
    return ""
