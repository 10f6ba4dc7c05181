"""The header search: Enter opens the contact list filtered by the query (`?search=`), the
shared query parameter the contacts and inbox pages read. Phones get an icon and a dialog."""

from __future__ import annotations

from urllib.parse import urlencode

from nicegui import ui

TARGET = "/dashboard/contacts"


def target(query: str) -> str | None:
    """Where a search goes; None for an empty query (nothing to do)."""
    query = query.strip()
    if not query:
        return None
    return f"{TARGET}?{urlencode({'search': query[:200]})}"


def _go(query: str | None) -> None:
    where = target(query or "")
    if where:
        ui.navigate.to(where)


def header_search() -> None:
    wide = ui.input(placeholder="Search contacts…").props("dense dark standout clearable")
    wide.classes("gt-sm w-72").mark("search")
    wide.on("keydown.enter", lambda: _go(wide.value))
    with ui.dialog() as dialog, ui.card().classes("w-full"):
        narrow = ui.input(placeholder="Search contacts…").props("outlined autofocus clearable")
        narrow.classes("w-full").mark("search-mobile")

        def go_narrow() -> None:
            dialog.close()
            _go(narrow.value)

        narrow.on("keydown.enter", go_narrow)
    ui.button(icon="search", on_click=dialog.open).props("flat round color=white").classes(
        "lt-md"
    ).mark("search-open")
