"""The phone-shaped chat panel of the simulator.

The viewer plays one customer, a made-up number derived from their user id (so two teammates
testing at once are two contacts). Sent messages are shown by the bus like everything else:
the inbound message and the bot's reply arrive as message:new events of the simulated
conversation, so what the phone shows is what the pipeline stored. After each send the page
asks which conversation is the contact's newest, because resolving a conversation makes the
next message open a new one.
"""

from __future__ import annotations

import base64
import hashlib

from nicegui import ui

from app.domain import Actor, DomainError
from app.domain import conversations as c
from app.domain import records as m
from app.events import Event, names
from ui.components.bubble import MessageBubble
from ui.components.live import follow, message_of
from ui.pages.inbox.extras import sources
from ui.pages.simulator.compose import Composer
from ui.state import container


def customer_number(user_id: str) -> str:
    digits = int(hashlib.sha256(user_id.encode()).hexdigest(), 16) % 10**7
    return f"1555{digits:07d}"


class Phone(ui.column):
    def __init__(self, actor: Actor, sim: c.WhatsappSession, user: m.User) -> None:
        super().__init__()
        self.actor = actor
        self.sim = sim
        self.number = customer_number(user.id)
        self.name = f"{user.name} (simulator)"
        self.conversation_id: str | None = None
        self.bubbles: dict[str, MessageBubble] = {}
        self.classes(
            "w-full max-w-[380px] h-[min(680px,calc(100vh-150px))] min-h-[420px] self-center "
            "gap-0 no-wrap rounded-[28px] border-[10px] border-grey-9 bg-grey-9 shadow-lg"
        ).mark("phone")
        with self:
            bar = "w-full items-center gap-2 px-3 py-2 rounded-t-[18px] text-white no-wrap"
            with ui.row().classes(bar + " bg-[#075E54]"):
                ui.icon("smart_toy").classes("text-2xl")
                with ui.column().classes("gap-0 grow min-w-0"):
                    ui.label("Your bot").classes("font-semibold")
                    self.status = ui.label(f"you are +{self.number}").classes("text-xs opacity-80")
                self.inbox_link = ui.link("Inbox", "/dashboard/inbox").classes("text-white text-xs")
                self.inbox_link.mark("open-in-inbox")
            self.scroll = ui.scroll_area().classes("w-full grow bg-[#ECE5DD]")
            with self.scroll:
                self.list = ui.column().classes("w-full gap-2 p-1").mark("phone-messages")
            self.composer = Composer(self.send, self.send_file)

    async def start(self) -> None:
        await self._resolve()
        follow(self.actor, self._on_event)

    async def _resolve(self) -> None:
        """Find the contact's newest conversation; (re)draw the thread when it changed."""
        page = await container().services.conversation_queries.list(
            self.actor, page=1, page_size=1, session_id=self.sim.id, search=self.number
        )
        newest = page.items[0].id if page.items else None
        if newest == self.conversation_id or newest is None:
            return
        self.conversation_id = newest
        self.inbox_link.props(f"href=/dashboard/inbox/{newest}")
        detail = await container().services.conversation_queries.get(self.actor, newest)
        named = await sources(self.actor, detail.messages)
        self.list.clear()
        self.bubbles.clear()
        for message in detail.messages:
            self._show(message, named.get(message.id))

    def _show(self, message: c.Message, sources: str | None = None) -> None:
        """Draw or redraw `message`; `sources` names its knowledge-base sources in words."""
        if message.id in self.bubbles:
            bubble = self.bubbles[message.id]
            bubble.sources = sources
            bubble.show(message)
            return
        with self.list:
            self.bubbles[message.id] = MessageBubble(message, mirror=True, sources=sources)
        self.scroll.scroll_to(percent=1.0)

    async def send(self, text: str | None, media: dict[str, str] | None = None) -> bool:
        try:
            await container().services.live_sessions.simulate(  # on any node
                self.actor, self.sim.id, from_=self.number, name=self.name, text=text, media=media
            )
        except DomainError as exc:
            ui.notify(exc.detail, type="negative")
            return False
        await self._resolve()
        return True

    async def send_file(self, data: bytes, mime: str, name: str, kind: str) -> None:
        media = {
            "base64": base64.b64encode(data).decode(),
            "mimeType": mime or "application/octet-stream",
            "fileName": name,
            "type": kind,
        }
        await self.send(None, media)

    async def _on_event(self, event: Event) -> None:
        if self.conversation_id is None or event.conversation_id != self.conversation_id:
            if event.name == names.MESSAGE_NEW and self.conversation_id is None:
                await self._resolve()
            return
        if event.name in (names.MESSAGE_NEW, names.MESSAGE_UPDATED):
            message = message_of(event)
            if message is not None:
                named = await sources(self.actor, [message])
                self._show(message, named.get(message.id))
                self.status.text = f"you are +{self.number}"
        elif event.name == names.TYPING_START:
            self.status.text = "typing…"
        elif event.name == names.TYPING_STOP:
            self.status.text = f"you are +{self.number}"
