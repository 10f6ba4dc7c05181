"""A secret shown once (a new API key, an invite link): read-only field, copy button, warning.

The value lives only in this element; nothing stores it, so leaving the dialog loses it — that
is the point, and the warning says so.
"""

from __future__ import annotations

from nicegui import ui


class SecretBox(ui.column):
    def __init__(self, label: str, value: str, warning: str, *, marker: str = "secret") -> None:
        super().__init__()
        self.value = value
        self.classes("w-full gap-2")
        with self:
            with ui.row().classes("w-full items-center no-wrap gap-1"):
                ui.input(label, value=value).props("readonly outlined dense").classes(
                    "grow font-mono"
                ).mark(marker)
                ui.button(icon="content_copy", on_click=self.copy).props(
                    "flat round aria-label=Copy"
                ).tooltip("Copy").mark(f"{marker}-copy")
            with ui.row().classes("items-start no-wrap gap-2 text-warning text-sm"):
                ui.icon("warning").classes("text-lg")
                ui.label(warning)

    def copy(self) -> None:
        ui.clipboard.write(self.value)
        ui.notify("Copied to the clipboard", type="positive")
