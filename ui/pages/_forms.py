"""The centred card the sign-in pages share."""

from __future__ import annotations

from typing import TypeVar

from nicegui import ui

T = TypeVar("T")


def card(title: str, subtitle: str = "") -> ui.card:
    ui.colors(primary="#128C7E")
    ui.query("body").classes("bg-grey-2")
    with ui.column().classes("w-full items-center justify-center min-h-screen p-4"):
        c = ui.card().classes("w-full max-w-sm p-6 gap-3")
        with c:
            ui.label("Aimywhatsapp").classes("text-sm text-primary font-semibold")
            ui.label(title).classes("text-2xl font-semibold")
            if subtitle:
                ui.label(subtitle).classes("text-grey-7")
    return c
