"""The inbox's left panel (seed §7 ConversationList / ConversationItem).

One page of conversations at a time (newest activity first, 25 per page), so a workspace with
10 000 conversations renders 25 rows; filters (status, unread, assigned to me, search) go to
the service's query. Live events only mark the list stale: `refresh_soon()` coalesces a burst of
events into one reload of the current page a moment later (ui/components/redraw.py), whose reads
the workspace's other open inboxes with the same filters share; the reload then touches only the
rows that changed — a new message updates one row's texts and moves it to the top, it does not
rebuild the other 24, and a conversation new to the page takes over the row of the one that
left it (ui/pages/inbox/conversation_row.py; with 20 tabs open, building rows starved the
server, issue 19).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from typing import Any

from nicegui import ui

from app.domain import Actor, Page, Resource
from app.domain import conversations as c
from ui.components.redraw import Coalesced, KeyedRows, shared_read
from ui.pages.inbox.conversation_row import STATUS_LABEL, ConversationRow, contact_name
from ui.pages.inbox.new_conversation import open_dialog as new_conversation
from ui.state import container

PAGE_SIZE = 25


class ConversationList(ui.column):
    def __init__(self, actor: Actor, selected: str | None = None) -> None:
        super().__init__()
        self.actor = actor
        self.selected = selected
        self.page = 1
        self.refresher = Coalesced(
            lambda: self.load(shared=True), alive=lambda: not self.is_deleted, name="inbox-list"
        )
        self.classes("gap-2 w-full").mark("conversation-list")
        with self:
            with ui.row().classes("w-full gap-2 items-center no-wrap"):
                self.search = ui.input(placeholder="Search name or number").props(
                    "dense outlined clearable debounce=300"
                )
                self.search.classes("grow").mark("inbox-search")
                self.search.on_value_change(self._refilter)
                if actor.may(Resource.CONVERSATIONS, write=True):
                    new = ui.button(icon="add_comment", on_click=lambda: new_conversation(actor))
                    new.props('flat round dense aria-label="New conversation"')
                    new.tooltip("New conversation").mark("new-conversation")
            with ui.row().classes("w-full gap-1 items-center"):
                options = {"": "All", **{s.value: label for s, label in STATUS_LABEL.items()}}
                self.status = ui.select(options, value="", on_change=self._refilter)
                self.status.props("dense outlined options-dense").classes("w-36").mark(
                    "status-filter"
                )
                self.unread = ui.checkbox("Unread", on_change=self._refilter).mark("unread-filter")
                self.mine = ui.checkbox("Mine", on_change=self._refilter).mark("mine-filter")
                self.mine.tooltip("Assigned to me")
            self.items = ui.column().classes("w-full gap-0 bg-white rounded-lg shadow-sm")
            self.rows = KeyedRows(self.items, self._row)
            self.empty = ui.label("No conversations yet.").classes("p-4 text-grey-7")
            self.empty.mark("inbox-empty").set_visibility(False)
            self.pager = ui.pagination(1, 1, direction_links=True, on_change=self._turn)
            self.pager.props("max-pages=5 boundary-numbers size=sm").classes("self-center")

    def filters(self) -> dict[str, Any]:
        return {
            "status": self.status.value or None,
            "unread": True if self.unread.value else None,
            "assignee": "me" if self.mine.value else None,
            "search": (self.search.value or "").strip() or None,
        }

    async def load(self, page: int | None = None, *, shared: bool = False) -> None:
        """Show page `page` (default: the current one). `shared`: a live refresh, whose reads
        the workspace's other tabs with the same filters may share."""
        self.page = page or self.page
        filters = self.filters()
        actor, number = self.actor, self.page

        async def read() -> tuple[Page[c.Conversation], dict[str, str]]:
            queries = container().services.conversation_queries
            result = await queries.list(actor, page=number, page_size=PAGE_SIZE, **filters)
            previews = await queries.previews(actor, [conv.id for conv in result.items])
            return result, previews

        if shared:
            mine = actor.user_id if filters["assignee"] else None
            key = ("inbox-list", actor.role, mine, tuple(sorted(filters.items())), number)
            result, previews = await shared_read(key, actor.workspace_id or "", read)
        else:
            result, previews = await read()
        if not self.is_deleted:
            self._show(result.items, previews)
            pages = max(1, math.ceil(result.total / PAGE_SIZE))
            self.pager.max = pages
            self.pager.value = self.page
            self.pager.set_visibility(pages > 1)

    def _show(self, items: list[c.Conversation], previews: dict[str, str]) -> None:
        """Make the rows show `items` in order, touching only rows that changed or moved."""
        self.rows.show(
            [
                (conv.id, _look(conv, previews.get(conv.id, "")), _filler(conv, previews))
                for conv in items
            ]
        )
        self.empty.set_visibility(not items)

    def _row(self) -> ConversationRow:
        return ConversationRow(self.selected, _open)

    def refresh_soon(self) -> None:
        """Reload once after a burst of live events (the first event schedules, the rest ride)."""
        self.refresher.soon()

    async def _refilter(self, _: Any = None) -> None:
        await self.load(1)

    async def _turn(self, event: Any) -> None:
        if event.value and int(event.value) != self.page:
            await self.load(int(event.value))


def _open(conversation_id: str) -> None:
    ui.navigate.to(f"/dashboard/inbox/{conversation_id}")


def _filler(conv: c.Conversation, previews: dict[str, str]) -> Callable[[ConversationRow], None]:
    return lambda row: row.show(conv, previews.get(conv.id, ""))


def _look(conv: c.Conversation, preview: str) -> Hashable:
    """Everything a row shows: the row is redrawn only when this changes."""
    return (
        contact_name(conv),
        conv.last_message_at,
        preview,
        conv.status,
        conv.unread_count,
        str(conv.sentiment),
    )
