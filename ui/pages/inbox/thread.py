"""The inbox's right panel (seed §7 MessageThread): header, banners, bubbles, reply bar.

The thread shows the newest 50 messages and loads earlier pages on request. Live events go
through `on_message` / `on_changed`: a new message becomes a bubble at the bottom, an updated
one is redrawn in place, and a conversation or contact change redraws the header and banners
(status, assignee, takeover, pending approvals) from the service, the single source of truth.
The header, banners and reply bar get the actor, what they show and callbacks into the
thread — never the thread itself.
"""

from __future__ import annotations

import msgspec
from nicegui import ui

from app.domain import Actor, ConversationStatus, Direction, MessageStatus, Resource
from app.domain import agent_tools as t
from app.domain import conversations as c
from app.domain.flows import FlowRun
from ui.components.bubble import MessageBubble
from ui.pages.inbox import banners, header
from ui.pages.inbox.extras import Extras, load
from ui.pages.inbox.notes import NoteCards
from ui.pages.inbox.reply import ReplyBar
from ui.state import container

PAGE_SIZE = 50


class Thread(ui.column):
    def __init__(
        self,
        actor: Actor,
        detail: c.ConversationDetail,
        extras: Extras | None = None,
        flow_run: FlowRun | None = None,
    ) -> None:
        super().__init__()
        self.actor = actor
        self.detail = detail
        self.extras = extras or Extras()
        self.flow_run = flow_run  # the flow run the contact is in (the flow banner)
        self.conversation_id = detail.id
        self.bubbles: dict[str, MessageBubble] = {}
        self.messages: dict[str, c.Message] = {m.id: m for m in detail.messages}
        self.loaded_pages = 1
        self.notes = NoteCards(actor, detail.id)  # one written here comes back live: once
        self._parts: list[ui.column] = []  # header, flow, takeover, approvals (`draw_top`)
        self._shown: dict[int, bytes] = {}  # what each part shows now
        # from 600 px up, one viewport tall: banners come and go, the messages take what is
        # left and the reply bar stays on screen; on a phone the page scrolls instead
        self.classes("w-full gap-2 no-wrap sm:h-[calc(100vh-150px)] sm:min-h-[460px]")
        self.mark("thread")
        with self:
            self.top = ui.column().classes("w-full gap-2 shrink-0 sm:max-h-[45%] sm:overflow-auto")
            self.scroll = ui.scroll_area().classes(
                "w-full h-[60vh] sm:h-auto sm:grow sm:min-h-[180px] bg-grey-2 rounded-lg"
            )
            with self.scroll:
                self.earlier = ui.button("Load earlier messages", on_click=self.load_earlier)
                self.earlier.props("flat dense no-caps size=sm").classes("self-center")
                self.earlier.mark("load-earlier")
                self.list = ui.column().classes("w-full gap-2 p-2")
            self.typing = ui.label("typing…").classes("text-xs text-grey-7 italic h-4")
            self.typing.mark("typing").set_visibility(False)
            self.writable = actor.may(Resource.CONVERSATIONS, write=True)
            if self.writable:
                ReplyBar(actor, self.conversation_id, self._sent, self._noted)
            else:
                ui.label("Your role can read conversations but not reply.").classes(
                    "text-grey-7 text-sm"
                ).mark("read-only")
        self._draw_messages(detail.messages, detail.notes)
        self.draw_top()

    def draw_top(self) -> None:
        """Redraw the header and each banner — each only when what it shows changed. One
        customer message brings a burst of events (the message, the draft, the status, the
        read mark); redrawing everything on each replaced the Bot/Human switch and the approval
        buttons under the agent's pointer, and a click landing in that instant was lost. Now a
        status change redraws the header alone, never the switch next to it."""
        pending = [m for m in self.messages.values() if m.status == "PENDING_APPROVAL"]
        d, who = self.detail, self.detail.contact
        contact = (
            (who.name, who.display_name, who.phone_number, who.human_takeover, who.is_blocked)
            if who is not None
            else None
        )
        csat = (d.csat.rating, d.csat.asked_at) if d.csat is not None else None
        waiting = d.status == ConversationStatus.WAITING_HUMAN
        parts = (
            ((d.status, d.assigned_user_id, d.resolved_at, contact, csat), self._draw_header),
            (self.flow_run, self._draw_flow_run),
            ((waiting, contact), self._draw_takeover),
            ([(m.id, m.content) for m in pending], lambda: self._draw_approvals(pending)),
        )
        if not self._parts:
            with self.top:
                self._parts = [ui.column().classes("w-full gap-2") for _ in parts]
        for i, ((shows, draw), box) in enumerate(zip(parts, self._parts, strict=True)):
            key = msgspec.json.encode(shows)
            if self._shown.get(i) == key:
                continue
            self._shown[i] = key
            box.clear()
            with box:
                draw()
            box.set_visibility(bool(box.default_slot.children))  # no gap for an empty part

    def _draw_header(self) -> None:
        header.draw(self.actor, self.detail, self._acted)

    def _draw_flow_run(self) -> None:
        banners.flow_run(self.actor, self.flow_run, self._acted)

    def _draw_takeover(self) -> None:
        banners.takeover(self.actor, self.detail, self._acted)

    def _draw_approvals(self, pending: list[c.Message]) -> None:
        for message in pending:
            banners.approval(self.actor, self.conversation_id, message, self.on_message)

    def _draw_messages(self, messages: list[c.Message], notes: list[t.Note]) -> None:
        self.earlier.set_visibility(self.detail.messages_total > len(self.messages))
        with self.list:
            for item in _by_time(messages, notes):
                if isinstance(item, t.Note):
                    self.notes.draw(item)
                else:
                    self.bubbles[item.id] = self._bubble(item)
        self.scroll.scroll_to(percent=1.0)

    async def _noted(self, note: t.Note) -> None:
        """The reply bar added a private note: show it at the bottom."""
        await self.on_note(note)

    async def on_note(self, note: t.Note) -> None:
        """A private note added here or by a teammate (`note:new`): at the bottom, once."""
        if self.notes.shown(note.id):
            return
        with self.list:
            self.notes.draw(note)
        self.scroll.scroll_to(percent=1.0)

    def _bubble(self, message: c.Message) -> MessageBubble:
        e = self.extras
        return MessageBubble(
            message, media=e.media.get(message.id), sources=e.sources.get(message.id)
        )

    async def load_earlier(self) -> None:
        older = await container().services.conversation_queries.get(
            self.actor, self.conversation_id, page=self.loaded_pages + 1, page_size=PAGE_SIZE
        )
        self.loaded_pages += 1
        fresh = [m for m in older.messages if m.id not in self.messages]
        self.extras.update(await load(self.actor, self.conversation_id, fresh))
        for i, item in enumerate(_by_time(fresh, older.notes)):
            with self.list:
                if isinstance(item, t.Note):
                    shown: ui.element = self.notes.draw(item)
                else:
                    self.messages[item.id] = item
                    shown = self.bubbles[item.id] = self._bubble(item)
            shown.move(self.list, target_index=i)
        self.earlier.set_visibility(older.messages_total > len(self.messages))

    async def on_message(self, message: c.Message) -> None:
        """A live message:new / message:updated for this conversation."""
        before = self.messages.get(message.id)
        self.messages[message.id] = message
        if message.media_type or message.kb_chunks_used:
            self.extras.update(await load(self.actor, self.conversation_id, [message], live=True))
        if message.id in self.bubbles:
            bubble = self.bubbles[message.id]
            bubble.media = self.extras.media.get(message.id)
            bubble.sources = self.extras.sources.get(message.id)
            bubble.show(message)
        else:
            with self.list:
                self.bubbles[message.id] = self._bubble(message)
            self.scroll.scroll_to(percent=1.0)
        was_pending = before is not None and before.status == MessageStatus.PENDING_APPROVAL
        if was_pending or message.status == MessageStatus.PENDING_APPROVAL:
            self.draw_top()
        self.typing.set_visibility(False)
        if before is None and message.direction == Direction.INBOUND and self.writable:
            # the agent is looking at it: read, so the list's unread badge does not lie
            await container().services.conversations.update(
                self.actor, self.conversation_id, read=True
            )

    def on_deleted(self, message_id: str) -> None:
        """A live message:deleted: a queued message was taken back (a broadcast paused or
        cancelled) — its bubble goes, or the thread would show it as queued for ever."""
        self.messages.pop(message_id, None)
        bubble = self.bubbles.pop(message_id, None)
        if bubble is not None:
            bubble.delete()

    async def _sent(self, message: c.Message) -> None:
        """The reply bar sent `message`: show it, and the takeover it may have turned on."""
        await self.on_message(message)
        await self.on_changed()

    async def on_changed(self) -> None:
        """The conversation or its contact changed: reload both and redraw the top."""
        self.detail = await container().services.conversation_queries.get(
            self.actor, self.conversation_id, page=1, page_size=1
        )
        await self.on_flow_run()

    async def _acted(self) -> None:
        """The agent used a control up top: redraw it even if nothing changed (a refused
        switch must flip back)."""
        self._shown.clear()
        await self.on_changed()

    async def on_flow_run(self) -> None:
        """A `flow:run` event for this conversation (or a stop): reload the run, redraw."""
        runs = container().services.flow_runs
        self.flow_run = await runs.active_in(self.actor, self.conversation_id)
        self.draw_top()


def _by_time(messages: list[c.Message], notes: list[t.Note]) -> list[c.Message | t.Note]:
    """Messages and notes in the order they were written (a note after a message of the
    same moment)."""
    items: list[c.Message | t.Note] = [*messages, *notes]
    return sorted(items, key=lambda i: (i.created_at, isinstance(i, t.Note)))
