"""`/dashboard/knowledge`: the workspace's knowledge bases, the default one marked.

Owners and admins create, rename and delete; the default KB (the one the bot answers from
when nothing else is chosen) can be renamed but not deleted here.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from nicegui import ui

from app.domain import Actor, Resource
from app.domain import knowledge as m
from app.schemas import knowledge as ks
from ui.components import ErrorLabel, confirm
from ui.page import Viewer, dashboard_page
from ui.pages.knowledge._common import NO_ACCESS, READ_ONLY, body
from ui.state import container


def create() -> None:
    @dashboard_page("/dashboard/knowledge", "Knowledge", Resource.KNOWLEDGE, refusal=NO_ACCESS)
    async def page(viewer: Viewer) -> None:
        await _body(viewer.actor)


async def _body(actor: Actor) -> None:
    services = container().services
    write = actor.may(Resource.KNOWLEDGE, write=True)

    @ui.refreshable
    async def listing() -> None:
        for kb in await services.knowledge.list(actor):
            _kb_card(kb, write, functools.partial(edit, kb), functools.partial(remove, kb))

    async def edit(kb: m.KnowledgeBase | None) -> None:
        if await _kb_dialog(actor, kb):
            listing.refresh()

    async def remove(kb: m.KnowledgeBase) -> None:
        detail = f"{kb.document_count} documents and {kb.faq_count} FAQs go with it."
        if not await confirm(f"Delete “{kb.name}”?", detail, action="Delete"):
            return
        if await error.run(lambda: _deleted(actor, kb.id)):
            ui.notify(f"{kb.name} deleted", type="positive")
            listing.refresh()

    with ui.row().classes("w-full items-center justify-between gap-2"):
        ui.label("Documents, web pages and FAQs the bot answers from.").classes("text-grey-7")
        if write:
            ui.button("New knowledge base", icon="add", on_click=lambda: edit(None)).props(
                "unelevated"
            ).mark("new-kb")
        else:
            ui.label(READ_ONLY).classes("text-grey-7 text-sm").mark("read-only")
    error = ErrorLabel("kb-error")
    with ui.element("div").classes("w-full grid gap-4 grid-cols-1 sm:grid-cols-2 lg:grid-cols-3"):
        await listing()


async def _deleted(actor: Actor, kb_id: str) -> bool:
    await container().services.knowledge.delete(actor, kb_id)
    return True


def _n(count: int, what: str) -> str:
    return f"{count} {what}" if count == 1 else f"{count} {what}s"


def _kb_card(
    kb: m.KnowledgeBase,
    write: bool,
    edit: Callable[[], Awaitable[None]],
    remove: Callable[[], Awaitable[None]],
) -> None:
    card = ui.card().classes("w-full gap-2").mark("kb-card")
    card.props["data-kb"] = kb.name
    with card:
        with ui.row().classes("w-full items-center no-wrap gap-2"):
            ui.icon("menu_book").classes("text-2xl text-primary")
            ui.link(kb.name, f"/dashboard/knowledge/{kb.id}").classes(
                "text-lg font-semibold grow min-w-0 break-words text-grey-10 no-underline"
                " hover:underline"
            ).mark("kb-link")
            if kb.is_default:
                ui.badge("Default").props("outline color=primary").mark("kb-default")
        if kb.description:
            ui.label(kb.description).classes("text-grey-8 text-sm")
        ui.label(f"{_n(kb.document_count, 'document')} · {_n(kb.faq_count, 'FAQ')}").classes(
            "text-grey-7 text-sm"
        ).mark("kb-counts")
        if write:
            with ui.row().classes("w-full justify-end gap-1"):
                ui.button(icon="edit", on_click=edit).props(
                    "flat round dense aria-label=Rename"
                ).tooltip("Rename").mark("kb-rename", f"kb-rename-{kb.id}")
                if not kb.is_default:
                    ui.button(icon="delete", on_click=remove).props(
                        "flat round dense color=negative aria-label=Delete"
                    ).tooltip("Delete").mark("kb-delete")


async def _kb_dialog(actor: Actor, kb: m.KnowledgeBase | None) -> bool:
    """Create (kb None) or rename; True when something was saved."""
    services = container().services
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-md gap-3").mark("kb-dialog"):
        ui.label("Rename knowledge base" if kb else "New knowledge base").classes(
            "text-lg font-semibold"
        )
        name = ui.input("Name", value=kb.name if kb else "").props("outlined autofocus")
        name.classes("w-full").mark("kb-name")
        about = ui.input("Description (optional)", value=(kb.description or "") if kb else "")
        about.props("outlined").classes("w-full").mark("kb-description")
        error = ErrorLabel("kb-dialog-error")

        async def save() -> None:
            async def call() -> m.KnowledgeBase:
                fields = {"name": (name.value or "").strip(), "description": about.value or None}
                if kb is None:
                    return await services.knowledge.create(actor, body(ks.KBCreateBody, **fields))
                return await services.knowledge.update(
                    actor, kb.id, body(ks.KBUpdateBody, **fields)
                )

            if await error.run(call) is not None:
                dialog.submit(True)

        with ui.row().classes("w-full justify-end gap-2"):
            ui.button("Cancel", on_click=lambda: dialog.submit(False)).props("flat")
            ui.button("Save", on_click=save).props("unelevated").mark("kb-save")
        name.on("keydown.enter", save)
    dialog.open()
    try:
        return bool(await dialog)
    finally:
        dialog.delete()
