"""ContactFilters (seed §7): search by name or phone, label, and the blocked / takeover / VIP
flags. `values()` is what `ContactService.list` and `export_csv` take as filters."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from app.domain import conversations as c

ANY = {"any": "Any", "yes": "Yes", "no": "No"}
FLAGS = (("blocked", "Blocked"), ("takeover", "Takeover"), ("vip", "VIP"))


class ContactFilters(ui.row):
    def __init__(
        self, labels: list[c.Label], search: str, on_change: Callable[[], Awaitable[None]]
    ) -> None:
        super().__init__()
        self.classes("w-full items-center gap-2")
        with self:
            self.search = (
                ui.input(placeholder="Search name or phone", value=search)
                .props("outlined dense clearable debounce=300")
                .classes("w-full sm:w-64")
                .mark("contact-search")
            )
            with self.search.add_slot("prepend"):
                ui.icon("search")
            self.label = (
                ui.select({lb.id: lb.name for lb in labels}, label="Label", clearable=True)
                .props("outlined dense options-dense")
                .classes("w-36")
                .mark("filter-label")
            )
            self.flags = {
                key: ui.select(ANY, value="any", label=text)
                .props("outlined dense options-dense")
                .classes("w-28")
                .mark(f"filter-{key}")
                for key, text in FLAGS
            }
        for element in (self.search, self.label, *self.flags.values()):
            element.on_value_change(on_change)

    def values(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "search": (self.search.value or "").strip()[:100] or None,
            "label": self.label.value or None,
        }
        for key, select in self.flags.items():
            found[key] = None if select.value == "any" else select.value == "yes"
        return found

    def active(self) -> bool:
        return any(v is not None for v in self.values().values())
