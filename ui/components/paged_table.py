"""A read-only table over a service's paginated list (`Page[T]`): one page in memory at a time."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from app.domain import Page

Fetch = Callable[[int, int], Awaitable[Page[Any]]]
Row = Callable[[Any], dict[str, Any]]


class PagedTable(ui.column):
    """`columns` as for `ui.table`; `fetch(page, page_size)` loads, `to_row` shapes each item."""

    def __init__(
        self, columns: list[dict[str, Any]], fetch: Fetch, to_row: Row, *, page_size: int = 25
    ) -> None:
        super().__init__()
        self._fetch = fetch
        self._to_row = to_row
        self.page_size = page_size
        self.page = 1
        self.classes("w-full gap-2")
        with self:
            self.table = ui.table(columns=columns, rows=[], row_key="id").classes("w-full")
            self.table.props("flat bordered dense wrap-cells hide-bottom")
            # below 600 px each row becomes a card of label: value (Quasar's grid mode)
            self.table.props[":grid"] = "Quasar.Screen.lt.sm"
            with ui.row().classes("w-full items-center justify-between"):
                self.summary = ui.label().classes("text-grey-7 text-sm").mark("table-summary")
                self.pager = ui.pagination(1, 1, direction_links=True, on_change=self._turn)
                self.pager.props("max-pages=5 boundary-numbers")

    async def load(self, page: int = 1) -> None:
        result = await self._fetch(page, self.page_size)
        self.table.rows = [self._to_row(item) for item in result.items]
        pages = max(1, math.ceil(result.total / self.page_size))
        self.page = result.page
        self.pager.max = pages
        self.pager.set_visibility(pages > 1)
        self.pager.value = result.page  # _turn ignores it: it is the page just loaded
        first = (result.page - 1) * self.page_size + 1
        last = first + len(result.items) - 1
        self.summary.text = f"{first}–{last} of {result.total}" if result.items else "Nothing yet"

    async def _turn(self, event: Any) -> None:
        if event.value and int(event.value) != self.page:
            await self.load(int(event.value))
