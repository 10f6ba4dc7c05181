"""Bulk actions on the selected rows of the contact table: add or remove a label, block or
unblock, and CSV export of the selection — or, with nothing selected, of the current filter."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from app.domain import Actor, Resource
from app.domain import conversations as c
from ui.components import ErrorLabel
from ui.state import container


async def apply(actor: Actor, rows: list[dict[str, Any]], action: str, label_id: str = "") -> int:
    """Run `action` (label / unlabel / block / unblock) on each row; returns how many changed."""
    contacts = container().services.contacts
    changed = 0
    for row in rows:
        has = label_id in row.get("label_ids", [])
        if action == "label" and not has:
            await contacts.attach_label(actor, row["id"], label_id)
        elif action == "unlabel" and has:
            await contacts.detach_label(actor, row["id"], label_id)
        elif action in ("block", "unblock"):
            await contacts.set_flag(actor, row["id"], action)
        else:
            continue
        changed += 1
    return changed


async def csv_bytes(actor: Actor, **filters: Any) -> bytes:
    return b"".join(
        [chunk async for chunk in container().services.contact_queries.export_csv(actor, **filters)]
    )


class BulkBar(ui.row):
    """`selected()` gives the chosen rows, `filters()` the table's filter, `done()` reloads."""

    def __init__(
        self,
        actor: Actor,
        labels: list[c.Label],
        selected: Callable[[], list[dict[str, Any]]],
        filters: Callable[[], dict[str, Any]],
        done: Callable[[], Awaitable[None]],
    ) -> None:
        super().__init__()
        self.actor, self._selected, self._filters, self._done = actor, selected, filters, done
        self.classes("w-full items-center gap-2 min-h-10").mark("bulk-bar")
        with self:
            self.count = ui.label().classes("text-sm text-grey-8").mark("selected-count")
            self.writes = ui.row().classes("items-center gap-1")
            with self.writes:
                for action, icon, text in (
                    ("label", "label", "Add label"),
                    ("unlabel", "label_off", "Remove label"),
                ):
                    with (
                        ui.button(text, icon=icon)
                        .props("outline dense no-caps")
                        .mark(f"bulk-{action}")
                    ):
                        with ui.menu():
                            for lb in labels:
                                ui.menu_item(
                                    lb.name, on_click=lambda a=action, i=lb.id: self.run(a, i)
                                ).mark(f"bulk-{action}-{lb.name}")
                            if not labels:
                                ui.menu_item("No labels yet").props("disable")
                ui.button("Block", icon="block", on_click=lambda: self.run("block")).props(
                    "outline dense no-caps color=negative"
                ).mark("bulk-block")
                ui.button(
                    "Unblock", icon="check_circle", on_click=lambda: self.run("unblock")
                ).props("outline dense no-caps").mark("bulk-unblock")
            self.export = (
                ui.button("Export CSV", icon="download", on_click=self.download)
                .props("outline dense no-caps")
                .mark("export-csv")
            )
            self.error = ErrorLabel("bulk-error")

    def refresh(self) -> None:
        """Show the write actions only with a selection and the right to change contacts."""
        n = len(self._selected())
        self.count.text = f"{n} selected" if n else ""
        self.writes.set_visibility(n > 0 and self.actor.may(Resource.CONTACTS, write=True))
        self.export.text = f"Export {n} as CSV" if n else "Export CSV"

    async def run(self, action: str, label_id: str = "") -> None:
        rows = self._selected()
        changed = await self.error.run(lambda: apply(self.actor, rows, action, label_id))
        if changed is not None:
            ui.notify(f"{changed} contact{'s' * (changed != 1)} updated", type="positive")
            await self._done()

    async def download(self) -> None:
        rows = self._selected()
        filters = {"ids": [r["id"] for r in rows]} if rows else self._filters()
        data = await self.error.run(lambda: csv_bytes(self.actor, **filters))
        if data is not None:
            ui.download.content(data, "contacts.csv", "text/csv")
