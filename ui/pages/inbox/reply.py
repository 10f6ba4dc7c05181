"""Seed §7 ReplyBar: text, a small emoji menu, an attachment, send.

A human reply goes through `conversations.send` (queued in the outbox, paced like the bot's)
and, per the workspace setting, turns on human takeover. The paperclip opens a hidden
auto-upload: the file goes out at once with the typed text as its caption; the service checks
its type (from the bytes) and size, and a refusal shows under the bar.
Enter sends; Shift+Enter makes a new line. The sent message goes to `on_sent`, so the thread
shows it without waiting for the live event.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from app.domain import Actor, DomainError
from app.domain import conversations as c
from app.services.attachments import MAX_ATTACHMENT_BYTES, Attachment
from ui.components.error import ErrorLabel
from ui.state import container

ACCEPT = "image/*,video/*,audio/*,.pdf,.docx,.xlsx,.pptx"
EMOJI = [*"😀😂😊😍🙏👍👌🎉🔥😅😢🤔👋✅⏰📦🚚💳📞", "❤️"]


class ReplyBar(ui.row):
    def __init__(
        self, actor: Actor, conversation_id: str, on_sent: Callable[[c.Message], Awaitable[None]]
    ) -> None:
        super().__init__()
        self.actor = actor
        self.conversation_id = conversation_id
        self.on_sent = on_sent
        self.classes("w-full items-end no-wrap gap-1 bg-white rounded-lg p-1").mark("reply-bar")
        with self:
            with ui.button(icon="mood").props("flat round dense").mark("emoji"):
                with ui.menu(), ui.grid(columns=5).classes("p-2 gap-1"):
                    for emoji in EMOJI:
                        ui.button(emoji, on_click=lambda e=emoji: self._add(e)).props(
                            "flat dense"
                        ).classes("text-lg").mark(f"emoji-{emoji}")
            self.upload = ui.upload(
                on_upload=self._attached,
                on_rejected=lambda: self.error.show("That file is over 16 MB, WhatsApp's limit."),
                auto_upload=True,
                max_files=1,
                max_file_size=MAX_ATTACHMENT_BYTES,
            )
            self.upload.props(f"accept={ACCEPT}").classes("hidden").mark("reply-upload")
            attach = ui.button(
                icon="attach_file", on_click=lambda: self.upload.run_method("pickFiles")
            )
            attach.props("flat round dense").mark("reply-attach").tooltip(
                "Send a file (image, video, audio, document; the text is its caption)"
            )
            self.text = ui.textarea(placeholder="Type a reply…").props(
                "dense borderless autogrow rows=1"
            )
            self.text.classes("grow max-h-40 overflow-auto px-2").mark("reply-text")
            self.text.on("keydown.enter.exact.prevent", self.send)
            self.button = ui.button(icon="send", on_click=self.send).props("round unelevated")
            self.button.mark("reply-send").tooltip("Send as a human agent")
        self.error: ErrorLabel = ErrorLabel("reply-error")  # under the bar, in the thread's column

    def _add(self, emoji: str) -> None:
        self.text.value = (self.text.value or "") + emoji

    async def _attached(self, event: Any) -> None:
        data = await event.file.read()
        self.upload.reset()
        await self._deliver(Attachment(event.file.name, data))

    async def send(self) -> None:
        if (self.text.value or "").strip():
            await self._deliver(None)

    async def _deliver(self, attachment: Attachment | None) -> None:
        """Send the typed text (the caption, when there is a file); errors show under the bar."""
        self.error.clear_error()
        self.button.disable()
        try:
            message = await container().services.conversations.send(
                self.actor, self.conversation_id, self.text.value or "", attachment
            )
        except DomainError as exc:
            self.error.show(exc.detail)
            return
        finally:
            self.button.enable()
        self.text.value = ""
        await self.on_sent(message)
