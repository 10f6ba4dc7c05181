"""One chat bubble (seed §7 MessageBubble), shared by the inbox thread and the phone simulator.

Inbound (the contact) sits left on white, outbound (bot or human) right on WhatsApp green. The
sender type is spelled out because an agent must know whether the bot or a colleague spoke;
a bot reply also shows its confidence and how many knowledge-base sources it used (their
document titles / FAQ questions in a tooltip), so a wrong answer can be traced to its source.
A media message shows its file (ui/components/media_view.py) when the thread passes `media`.
`show(message)` redraws in place when a message:updated event changes its status (queued →
sent → delivered → read).
"""

from __future__ import annotations

from nicegui import ui

from app.domain import Direction, MessageStatus, SenderType
from app.domain import conversations as c
from app.services.media import MediaInfo
from ui.components import media_view

# (label, icon): icons, not emoji — a browser without an emoji font would show boxes
_SENDER = {SenderType.BOT: ("Bot", "smart_toy"), SenderType.HUMAN: ("Agent", "support_agent")}
_MEDIA_ICON = {
    "IMAGE": "image",
    "AUDIO": "mic",
    "VIDEO": "videocam",
    "DOCUMENT": "description",
    "STICKER": "emoji_emotions",
    "LOCATION": "place",
    "CONTACT_CARD": "contact_page",
}
_TICKS = {
    MessageStatus.QUEUED: "schedule",
    MessageStatus.SENT: "done",
    MessageStatus.DELIVERED: "done_all",
    MessageStatus.READ: "done_all",
    MessageStatus.FAILED: "error",
    MessageStatus.PENDING_APPROVAL: "hourglass_top",
    MessageStatus.REJECTED: "block",
}


class MessageBubble(ui.row):
    def __init__(
        self,
        message: c.Message,
        *,
        mirror: bool = False,
        media: MediaInfo | None = None,
        sources: str | None = None,
    ) -> None:
        """`mirror` flips sides for the phone simulator, where the viewer is the contact;
        `media` is the message's file and `sources` the tooltip naming its KB sources."""
        super().__init__()
        self.message_id = message.id
        self.mirror = mirror
        self.media = media
        self.sources = sources
        self.classes("w-full no-wrap")
        self.show(message)

    def show(self, message: c.Message) -> None:
        out = message.direction == Direction.OUTBOUND
        right = out != self.mirror
        self.clear()
        self.classes(replace="w-full no-wrap " + ("justify-end" if right else "justify-start"))
        self.mark(f"bubble bubble-{message.id} bubble-{message.sender_type.lower()}")
        tone = "bg-green-1" if right else "bg-white"
        if message.status in (MessageStatus.PENDING_APPROVAL, MessageStatus.REJECTED):
            tone = "bg-amber-1" if message.status == MessageStatus.PENDING_APPROVAL else "bg-grey-3"
        with self, ui.column().classes(f"{tone} rounded-lg shadow-sm px-3 py-2 gap-1 max-w-[85%]"):
            if message.sender_type in _SENDER:
                label, icon = _SENDER[message.sender_type]
                with ui.row().classes("items-center gap-1 text-xs text-grey-7 no-wrap"):
                    ui.icon(icon).classes("text-sm")
                    ui.label(label)
            if message.media_type:
                _media(message, self.media)
            if message.content:
                strike = " line-through" if message.status == MessageStatus.REJECTED else ""
                ui.label(message.content).classes("whitespace-pre-wrap break-words" + strike)
            _meta(message, self.sources)


def _media(message: c.Message, info: MediaInfo | None) -> None:
    if info is None or message.media_type == "AUDIO":
        with ui.row().classes("items-center gap-1 text-grey-8 no-wrap"):
            ui.icon(_MEDIA_ICON.get(str(message.media_type), "attachment"))
            audio = message.media_type == "AUDIO"
            ui.label("Voice note" if audio else str(message.media_type).title()).classes("text-sm")
    if info is not None:
        media_view.draw(message.conversation_id, info)
    if message.media_caption and message.media_caption != message.content:
        ui.label(message.media_caption).classes("text-sm")
    if message.media_transcript:
        ui.label(f"“{message.media_transcript}”").classes("text-sm italic text-grey-8").mark(
            "transcript"
        )


def _meta(message: c.Message, sources: str | None) -> None:
    with ui.row().classes("items-center gap-2 text-xs text-grey-6 no-wrap justify-end w-full"):
        if message.sender_type == SenderType.BOT and message.confidence is not None:
            pct = round(message.confidence * 100)
            color = "positive" if pct >= 70 else "warning" if pct >= 40 else "negative"
            ui.badge(f"{pct}%").props(f"outline color={color}").mark("confidence").tooltip(
                "The bot's confidence in this answer"
            )
        if message.kb_chunks_used:
            n = len(message.kb_chunks_used)
            ui.badge(f"{n} source{'s' if n > 1 else ''}").props("outline color=grey-7").mark(
                "sources"
            ).tooltip(sources or "Passages and FAQs of the knowledge base")
        ui.label(message.created_at.strftime("%H:%M"))
        if message.direction == Direction.OUTBOUND and message.status in _TICKS:
            read = " text-blue-6" if message.status == MessageStatus.READ else ""
            ui.icon(_TICKS[message.status]).classes("text-sm" + read).tooltip(
                message.status.replace("_", " ").lower()
            )
