"""Seed §7 ReplyBar: text, a small emoji menu, send.

A human reply goes through `conversations.send` (queued in the outbox, paced like the bot's)
and, per the workspace setting, turns on human takeover. Attachments are not offered: the
service sends text only, so a paperclip here would promise what the backend cannot do.
Enter sends; Shift+Enter makes a new line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nicegui import ui

from app.domain import DomainError
from ui.state import container

if TYPE_CHECKING:
    from ui.pages.inbox.thread import Thread

EMOJI = [*"😀😂😊😍🙏👍👌🎉🔥😅😢🤔👋✅⏰📦🚚💳📞", "❤️"]


class ReplyBar(ui.row):
    def __init__(self, thread: Thread) -> None:
        super().__init__()
        self.thread = thread
        self.classes("w-full items-end no-wrap gap-1 bg-white rounded-lg p-1").mark("reply-bar")
        with self:
            with ui.button(icon="mood").props("flat round dense").mark("emoji"):
                with ui.menu(), ui.grid(columns=5).classes("p-2 gap-1"):
                    for emoji in EMOJI:
                        ui.button(emoji, on_click=lambda e=emoji: self._add(e)).props(
                            "flat dense"
                        ).classes("text-lg").mark(f"emoji-{emoji}")
            self.text = ui.textarea(placeholder="Type a reply…").props(
                "dense borderless autogrow rows=1"
            )
            self.text.classes("grow max-h-40 overflow-auto px-2").mark("reply-text")
            self.text.on("keydown.enter.exact.prevent", self.send)
            self.button = ui.button(icon="send", on_click=self.send).props("round unelevated")
            self.button.mark("reply-send").tooltip("Send as a human agent")

    def _add(self, emoji: str) -> None:
        self.text.value = (self.text.value or "") + emoji

    async def send(self) -> None:
        text = (self.text.value or "").strip()
        if not text:
            return
        self.button.disable()
        try:
            message = await container().services.conversations.send(
                self.thread.actor, self.thread.conversation_id, text
            )
        except DomainError as exc:
            ui.notify(exc.detail, type="negative")
            return
        finally:
            self.button.enable()
        self.text.value = ""
        await self.thread.on_message(message)
        await self.thread.on_changed()
