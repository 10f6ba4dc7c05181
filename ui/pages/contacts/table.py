"""ContactTable (seed §7): one page of contacts from the service at a time (10k stay fast),
sorted by the server when a column header is clicked, rows selectable for bulk actions.

Quasar's table is put in server mode (`rowsNumber` in its pagination): a header click then
emits `request` instead of sorting the rows it holds, and we reload page 1 in that order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from app.domain import Page
from app.domain import conversations as c
from ui.components import PagedTable
from ui.components.format import when
from ui.pages.contacts._common import initials, phone, shown_name
from ui.pages.contacts.slots import GRID_ITEM, LABELS_CELL, NAME_CELL, STATUS_CELL

Fetch = Callable[[int, int, str, bool], Awaitable[Page[c.Contact]]]
# column name → ContactService sort key
SORT_KEYS = {"name": "name", "phone": "phone", "last": "recent"}
COLUMNS: list[dict[str, Any]] = [
    {"name": "name", "label": "Name", "field": "name", "align": "left", "sortable": True},
    {"name": "phone", "label": "Phone", "field": "phone", "align": "left", "sortable": True},
    {"name": "labels", "label": "Labels", "field": "labels", "align": "left"},
    {"name": "status", "label": "Status", "field": "status", "align": "left"},
    {"name": "last", "label": "Last active", "field": "last", "align": "left", "sortable": True},
]


def to_row(contact: c.Contact) -> dict[str, Any]:
    flags = [
        ("Blocked", contact.is_blocked, "negative"),
        ("Takeover", contact.human_takeover, "orange-8"),
        ("VIP", contact.is_vip, "amber-8"),
        ("Bot off", not contact.autoreply_enabled, "grey-7"),
    ]
    return {
        "id": contact.id,
        "name": shown_name(contact),
        "initials": initials(contact),
        "avatar": contact.profile_pic_url or "",
        "phone": phone(contact),
        "labels": [{"name": lb.name, "color": lb.color} for lb in contact.labels],
        "label_ids": [lb.id for lb in contact.labels],
        "status": [{"text": t, "color": col} for t, on, col in flags if on],
        "last": when(contact.last_message_at),
    }


class ContactTable(PagedTable):
    def __init__(self, fetch: Fetch, *, page_size: int = 25) -> None:
        self.sort, self.descending, self.total = "recent", True, 0

        async def fetch_page(page: int, size: int) -> Page[c.Contact]:
            result = await fetch(page, size, self.sort, self.descending)
            self.total = result.total
            return result

        super().__init__(COLUMNS, fetch_page, to_row, page_size=page_size)
        table = self.table
        table.selection = "multiple"
        table.props("binary-state-sort")
        table.pagination = {"rowsPerPage": 0, "sortBy": "last", "descending": True}
        table.on("request", self._request, ["pagination"])
        table.add_slot("body-cell-name", NAME_CELL)
        table.add_slot("body-cell-labels", LABELS_CELL)
        table.add_slot("body-cell-status", STATUS_CELL)
        table.add_slot("item", GRID_ITEM)
        table.mark("contacts-table")

    async def load(self, page: int = 1) -> None:
        self.table.selected = []
        await super().load(page)
        self.table.pagination = {**self.table.pagination, "rowsNumber": self.total}

    async def sort_by(self, column: str, descending: bool) -> None:
        """What a header click does (also for tests: the simulated user has no Quasar)."""
        self.sort, self.descending = SORT_KEYS[column], descending
        self.table.pagination = {
            **self.table.pagination,
            "sortBy": column,
            "descending": descending,
        }
        await self.load(1)

    async def _request(self, event: Any) -> None:
        wanted = (event.args or {}).get("pagination") or {}
        column = wanted.get("sortBy") or "last"
        if column in SORT_KEYS:
            await self.sort_by(column, bool(wanted.get("descending")))
