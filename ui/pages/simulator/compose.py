"""The simulator's input row: text, an image, or a voice note (an audio file), as a customer
would send them on WhatsApp. Files go through the same simulate call as base64 media, so
voice notes are transcribed and images described by the pipeline exactly as real ones.

The composer only collects: `send(text)` (True when it went out, so the box is cleared) and
`send_file(data, mime, name, kind)` do the sending."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

MAX_BYTES = 16 * 1024 * 1024  # WhatsApp's own media limit
SendText = Callable[[str], Awaitable[bool]]
SendFile = Callable[[bytes, str, str, str], Awaitable[None]]


class Composer(ui.row):
    def __init__(self, send: SendText, send_file: SendFile) -> None:
        super().__init__()
        self._send_text = send
        self._send_file = send_file
        self.classes("w-full items-end no-wrap gap-1 p-1 bg-[#F0F0F0] rounded-b-[18px]").mark(
            "composer"
        )
        with self:
            with ui.button(icon="attach_file").props("flat round dense").mark("attach"):
                with ui.menu().classes("p-2"):
                    self._uploader("Photo", "image/*", "IMAGE", "upload-image")
                    self._uploader("Voice note", "audio/*", "AUDIO", "upload-voice")
            self.text = ui.input(placeholder="Message").props("dense borderless")
            self.text.classes("grow bg-white rounded-full px-3").mark("sim-text")
            self.text.on("keydown.enter", self.send)
            self.button = ui.button(icon="send", on_click=self.send).props("round unelevated")
            self.button.mark("sim-send")

    def _uploader(self, label: str, accept: str, kind: str, marker: str) -> None:
        async def received(event: Any) -> None:
            data = await event.file.read()
            upload.reset()
            if len(data) > MAX_BYTES:
                ui.notify("That file is over 16 MB, WhatsApp's limit.", type="warning")
                return
            await self._send_file(data, event.file.content_type, event.file.name, kind)

        ui.label(label).classes("text-sm font-medium")
        upload = ui.upload(on_upload=received, auto_upload=True, max_files=1)
        upload.props(f"accept={accept} flat bordered dense").classes("w-56").mark(marker)

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
