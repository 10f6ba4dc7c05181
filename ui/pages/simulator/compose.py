"""The simulator's input row: text, or — from the attach menu — a photo, a voice note (an
audio file) or a document, as a customer would send them on WhatsApp. Files go through the same
simulate call as base64 media, so voice notes are transcribed, images described and documents
read by the pipeline exactly as real ones.

The menu is WhatsApp's: one entry per kind, each opening the file picker for that kind (a
hidden uploader per kind does the picking and the upload). The composer only collects:
`send(text)` (True when it went out, so the box is cleared) and
`send_file(data, mime, name, kind)` do the sending."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

MAX_BYTES = 16 * 1024 * 1024  # WhatsApp's own media limit
SendText = Callable[[str], Awaitable[bool]]
SendFile = Callable[[bytes, str, str, str], Awaitable[None]]
DOCUMENTS = ".pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.txt,.csv"
# (menu label, icon, accepted files, media kind, marker of the menu entry, of its uploader)
KINDS = [
    ("Photo", "image", "image/*", "IMAGE", "attach-photo", "upload-image"),
    ("Voice note", "mic", "audio/*", "AUDIO", "attach-voice", "upload-voice"),
    ("Document", "description", DOCUMENTS, "DOCUMENT", "attach-document", "upload-document"),
]


class Composer(ui.row):
    def __init__(self, send: SendText, send_file: SendFile) -> None:
        super().__init__()
        self._send_text = send
        self._send_file = send_file
        self.classes("w-full items-end no-wrap gap-1 p-1 bg-[#F0F0F0] rounded-b-[18px]").mark(
            "composer"
        )
        with self:
            pickers = {
                kind: self._uploader(accept, kind, up) for _, _, accept, kind, _, up in KINDS
            }
            with ui.button(icon="attach_file").props("flat round dense").mark("attach"):
                with ui.menu().props('anchor="top left" self="bottom left"'):
                    for label, icon, _, kind, entry, _ in KINDS:
                        picker = pickers[kind]
                        item = ui.menu_item(on_click=lambda p=picker: p.run_method("pickFiles"))
                        with item.mark(entry), ui.row().classes("items-center gap-3 no-wrap"):
                            ui.icon(icon).classes("text-xl text-primary")
                            ui.label(label)
            self.text = ui.input(placeholder="Message").props("dense borderless")
            self.text.classes("grow bg-white rounded-full px-3").mark("sim-text")
            self.text.on("keydown.enter", self.send)
            self.button = ui.button(icon="send", on_click=self.send).props("round unelevated")
            self.button.mark("sim-send")

    def _uploader(self, accept: str, kind: str, marker: str) -> ui.upload:
        """An invisible uploader for one kind: the menu opens its picker; a picked file is
        uploaded at once and sent."""

        async def received(event: Any) -> None:
            data = await event.file.read()
            upload.reset()
            if len(data) > MAX_BYTES:
                ui.notify("That file is over 16 MB, WhatsApp's limit.", type="warning")
                return
            await self._send_file(data, event.file.content_type, event.file.name, kind)

        upload = ui.upload(on_upload=received, auto_upload=True, max_files=1)
        upload.props(f'accept="{accept}"').classes("hidden").mark(marker)
        return upload

    async def send(self) -> None:
        text = (self.text.value or "").strip()
        if not text:
            return
        self.button.disable()
        try:
            if await self._send_text(text):
                self.text.value = ""
        finally:
            self.button.enable()
