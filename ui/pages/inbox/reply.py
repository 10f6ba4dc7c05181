"""Seed §7 ReplyBar: text, a small emoji menu, an attachment, send; canned replies and private
notes (issue 17).

A human reply goes through `conversations.send` (queued in the outbox, paced like the bot's)
and, per the workspace setting, turns on human takeover. The paperclip opens a hidden
auto-upload: the file goes out at once with the typed text as its caption; the service checks
its type (from the bytes) and size, and a refusal shows under the bar.
Enter sends; Shift+Enter makes a new line. The sent message goes to `on_sent`, so the thread
shows it without waiting for the live event.

Typing `/` lists the workspace's canned replies whose shortcut or title matches what follows;
picking one puts its text, filled for this contact and agent by the service, in the box to
edit before sending. The Note switch turns the bar into a private note for the team: it is
stored with the thread (`notes.add`) and never sent; `on_noted` shows it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from app.domain import Actor, DomainError, Resource
from app.domain import agent_tools as t
from app.domain import conversations as c
from app.services.attachments import MAX_ATTACHMENT_BYTES, Attachment
from ui.components.error import ErrorLabel
from ui.state import container

ACCEPT = "image/*,video/*,audio/*,.pdf,.docx,.xlsx,.pptx"
EMOJI = [*"😀😂😊😍🙏👍👌🎉🔥😅😢🤔👋✅⏰📦🚚💳📞", "❤️"]
REPLY_HINT = "Type a reply… (/ for canned replies)"
NOTE_HINT = "Private note — only your team sees it"
MAX_SUGGESTIONS = 8


class ReplyBar(ui.row):
    def __init__(
        self,
        actor: Actor,
        conversation_id: str,
        on_sent: Callable[[c.Message], Awaitable[None]],
        on_noted: Callable[[t.Note], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__()
        self.actor = actor
        self.conversation_id = conversation_id
        self.on_sent = on_sent
        self.on_noted = on_noted
        self.note_mode = False
        self.canned: list[t.CannedReply] | None = None  # loaded at the first "/"
        self.matches: list[t.CannedReply] = []  # listed under the bar now; Enter picks the first
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
            self.attach = attach = ui.button(
                icon="attach_file", on_click=lambda: self.upload.run_method("pickFiles")
            )
            attach.props("flat round dense").mark("reply-attach").tooltip(
                "Send a file (image, video, audio, document; the text is its caption)"
            )
            self.note = ui.button(icon="sticky_note_2", on_click=self._toggle_note)
            self.note.props("flat round dense").mark("reply-note-mode")
            self.note.tooltip("Write a private note instead (never sent to the customer)")
            self.text = ui.textarea(placeholder=REPLY_HINT).props(
                "dense borderless autogrow rows=1"
            )
            self.text.classes("grow max-h-40 overflow-auto px-2").mark("reply-text")
            self.text.on("keydown.enter.exact.prevent", self.send)
            self.text.on_value_change(self._typed)
            self.button = ui.button(icon="send", on_click=self.send).props("round unelevated")
            self.button.mark("reply-send").tooltip("Send as a human agent")
        # under the bar, in the thread's column: the matching canned replies, then errors
        self.suggestions = ui.column().classes("w-full gap-0 bg-white rounded-lg shadow-1")
        self.suggestions.mark("canned-suggestions").set_visibility(False)
        self.error: ErrorLabel = ErrorLabel("reply-error")

    def _toggle_note(self) -> None:
        """Reply ⇄ private note: the bar turns amber and sends nothing while in note mode."""
        self.note_mode = note = not self.note_mode
        self.text.props(f'placeholder="{NOTE_HINT if note else REPLY_HINT}"')
        if note:
            self.classes(add="bg-amber-1", remove="bg-white")
        else:
            self.classes(add="bg-white", remove="bg-amber-1")
        self.note.props(f"color={'amber-9' if note else 'grey-8'}")
        self.button.props(f"icon={'note_add' if note else 'send'}")
        self.attach.set_enabled(not note)  # a note is text only
        self.suggestions.set_visibility(False)

    async def _typed(self, event: Any) -> None:
        """`/word` (and nothing else yet) lists the canned replies that match `word`."""
        typed = event.value or ""
        self.matches = []
        if self.note_mode or not typed.startswith("/") or any(ch.isspace() for ch in typed):
            self.suggestions.set_visibility(False)
            return
        if not self.actor.may(Resource.CANNED_REPLIES):
            return
        if self.canned is None:
            self.canned = await container().services.canned_replies.list(self.actor)
        needle = typed[1:].lower()
        matches = [r for r in self.canned if needle in r.shortcut or needle in r.title.lower()]
        self.matches = matches = matches[:MAX_SUGGESTIONS]
        self.suggestions.clear()
        with self.suggestions:
            if not matches:
                ui.label("No canned reply matches.").classes("text-sm text-grey-7 p-2").mark(
                    "no-canned-match"
                )
            for reply in matches:
                with (
                    ui.item(on_click=lambda r=reply: self._pick(r))
                    .props("clickable dense")
                    .classes("w-full")
                    .mark(f"canned-{reply.shortcut}")
                ):
                    with ui.item_section():
                        ui.item_label(f"/{reply.shortcut} · {reply.title}")
                        ui.item_label(reply.text).props("caption lines=1")
        self.suggestions.set_visibility(True)

    async def _pick(self, reply: t.CannedReply) -> None:
        """Put the reply's text, filled for this contact, in the box to edit before sending."""
        self.suggestions.set_visibility(False)
        self.matches = []
        try:
            rendered = await container().services.canned_replies.render(
                self.actor, reply.id, self.conversation_id
            )
        except DomainError as exc:
            self.error.show(exc.detail)
            return
        self.text.value = rendered.text
        if rendered.missing:
            names = ", ".join(rendered.missing)
            ui.notify(f"This contact has no value for {names}: check the text", type="warning")
        self.text.run_method("focus")

    def _add(self, emoji: str) -> None:
        self.text.value = (self.text.value or "") + emoji

    async def _attached(self, event: Any) -> None:
        data = await event.file.read()
        self.upload.reset()
        await self._deliver(Attachment(event.file.name, data))

    async def send(self) -> None:
        if not (self.text.value or "").strip():
            return
        if self.matches:  # "/than" + Enter: insert the first match, never send "/than"
            await self._pick(self.matches[0])
            return
        if self.note_mode:
            await self._add_note()
        else:
            await self._deliver(None)

    async def _add_note(self) -> None:
        self.error.clear_error()
        try:
            note = await container().services.notes.add(
                self.actor, self.conversation_id, self.text.value or ""
            )
        except DomainError as exc:
            self.error.show(exc.detail)
            return
        self.text.value = ""
        if self.on_noted is not None:
            await self.on_noted(note)

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
