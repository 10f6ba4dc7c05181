"""Tabs with nothing to set: they say why, nothing fake."""

from __future__ import annotations

from nicegui import ui

from app.domain import Actor
from app.domain import records as m
from ui.pages.settings._shell import section, settings_page

LATER = {
    "billing": (
        "Plan and billing",
        "Self-hosted installs have no billing: every feature is on. A hosted plan page may "
        "come later.",
    ),
}


def create() -> None:
    for key, (title, text) in LATER.items():
        _register(key, title, text)


def _register(key: str, title: str, text: str) -> None:
    @settings_page(key)
    async def body(actor: Actor, ws: m.Workspace) -> None:
        with section(title):
            with ui.row().classes("items-start no-wrap gap-2"):
                ui.icon("schedule").classes("text-xl text-grey-6")
                ui.label(text).classes("text-grey-8").mark("coming")
