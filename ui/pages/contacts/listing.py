"""`/dashboard/contacts` (seed §7 Contact list): filters, the table, bulk actions.

`?search=` pre-fills the search box, so the header's search can link here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from app.domain import Actor, Page, Resource
from app.domain import conversations as c
from app.events import Event, names
from ui.components.live import listen
from ui.page import Viewer, dashboard_page
from ui.pages.contacts import importer
from ui.pages.contacts._common import NO_ACCESS
from ui.pages.contacts.bulk import BulkBar
from ui.pages.contacts.filters import ContactFilters
from ui.pages.contacts.table import ContactTable
from ui.state import container

# phones show cards without column headers: this select sorts there instead
PHONE_SORTS = {
    "last:desc": "Last active",
    "name:asc": "Name A–Z",
    "name:desc": "Name Z–A",
    "phone:asc": "Phone",
}


def create() -> None:
    @dashboard_page("/dashboard/contacts", "Contacts", Resource.CONTACTS, refusal=NO_ACCESS)
    async def page(viewer: Viewer, search: str = "") -> None:
        await contact_list(viewer.actor, search[:100])


async def contact_list(actor: Actor, search: str) -> None:
    services = container().services
    labels = await services.labels.list(actor)

    async def fetch(page: int, size: int, sort: str, descending: bool) -> Page[c.Contact]:
        return await services.contact_queries.list(
            actor, page=page, page_size=size, sort=sort, descending=descending, **filters.values()
        )

    async def reload() -> None:
        await table.load(1)
        bar.refresh()
        empty.text = (
            "No contact matches these filters."
            if filters.active()
            else "No contacts yet: they appear when someone writes to your WhatsApp number "
            "(or import them from a CSV file)."
        )
        empty.set_visibility(table.total == 0)

    with ui.card().classes("w-full gap-3 p-3 sm:p-4"):
        filters = ContactFilters(labels, search, reload)
        bar = BulkBar(
            actor,
            labels,
            selected=lambda: list(table.table.selected),
            filters=filters.values,
            done=reload,
        )
        table = ContactTable(fetch)
        with filters:
            order = ui.select(PHONE_SORTS, value="last:desc", label="Sort")
            order.props("outlined dense options-dense").classes("w-36 lt-sm").mark("phone-sort")
            order.on_value_change(
                lambda e: table.sort_by(e.value.split(":")[0], e.value.endswith(":desc"))
            )
        if actor.may(Resource.CONTACTS, write=True):
            with bar:
                ui.button(
                    "Import CSV",
                    icon="upload_file",
                    on_click=lambda: importer.open_dialog(actor, reload),
                ).props("outline dense no-caps").mark("import-csv")
        empty = ui.label().classes("text-grey-7").mark("no-contacts")
        table.table.on_select(lambda: bar.refresh())
        table.pager.on_value_change(lambda: bar.refresh())
        await reload()
    live_updates(actor, table, reload)


def live_updates(actor: Actor, table: ContactTable, reload: Callable[[], Awaitable[None]]) -> None:
    """New and changed contacts show without a reload: a burst of messages (each one a
    `contact:updated`) becomes one refresh of the page being looked at, a second later. A page
    with rows selected for a bulk action is left alone, so the selection is not lost."""
    waiting = [False]

    async def refresh() -> None:
        waiting[0] = False
        if not table.table.selected:
            page = table.page
            await reload()
            if page > 1:
                await table.load(page)

    def on_event(event: Event) -> None:
        if not waiting[0]:
            waiting[0] = True
            ui.timer(1.0, refresh, once=True)

    listen(actor, [names.CONTACT_UPDATED], on_event)
