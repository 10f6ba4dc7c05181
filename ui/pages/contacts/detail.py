"""`/dashboard/contacts/{id}` (seed §7 ContactCard): who it is, labels, bot settings, custom
fields and notes, and the conversations with them. Read-only for roles that may not write."""

from __future__ import annotations

from nicegui import ui

from app.domain import Actor, NotFound, Resource
from ui.page import Viewer, dashboard_page
from ui.pages.contacts import card, fields, history
from ui.pages.contacts._common import NO_ACCESS, shown_name
from ui.pages.contacts.labels import LabelPicker
from ui.state import container


def create() -> None:
    path = "/dashboard/contacts/{contact_id}"

    @dashboard_page(path, "Contact", Resource.CONTACTS, refusal=NO_ACCESS)
    async def page(viewer: Viewer, contact_id: str) -> None:
        await contact_detail(viewer.actor, contact_id[:64])


async def contact_detail(actor: Actor, contact_id: str) -> None:
    services = container().services
    ui.link("← All contacts", "/dashboard/contacts").classes("text-sm").mark("back")
    try:
        contact = await services.contact_queries.get(actor, contact_id)
    except NotFound:
        ui.label("This contact does not exist (or was deleted).").classes("text-grey-8").mark(
            "not-found"
        )
        return
    ui.page_title(f"{shown_name(contact)} · Contacts · Aimywhatsapp")
    with ui.row().classes("w-full items-start gap-4 flex-col md:flex-row md:flex-nowrap"):
        with ui.column().classes("w-full md:w-96 md:shrink-0 gap-4"):
            card.ContactCard(actor, contact)
            with ui.card().classes("w-full gap-2"):
                ui.label("Labels").classes("text-lg font-semibold")
                LabelPicker(actor, contact, await services.labels.list(actor))
        with ui.column().classes("w-full min-w-0 gap-4"):
            fields.FieldsEditor(actor, contact)
            await history.ConversationHistory.build(actor, contact)
