"""`/dashboard/knowledge/{kb_id}`: one KB in four tabs — Documents, FAQs, Test, Evaluation.

The tab is kept in the URL's `?tab=` so a reload (or a shared link) opens the same one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui
from nicegui.events import ValueChangeEventArguments

from app.domain import Actor, NotFound, Resource
from app.domain import knowledge as m
from ui.page import Viewer, dashboard_page
from ui.pages.knowledge import documents, evaluation, faqs, test_panel
from ui.pages.knowledge._common import NO_ACCESS, READ_ONLY
from ui.state import container

Refresh = Callable[[], Awaitable[None]]
TABS = [
    ("documents", "Documents", "description"),
    ("faqs", "FAQs", "quiz"),
    ("test", "Test", "manage_search"),
    ("evaluation", "Evaluation", "fact_check"),
]


def create() -> None:
    path = "/dashboard/knowledge/{kb_id}"

    @dashboard_page(path, "Knowledge", Resource.KNOWLEDGE, refusal=NO_ACCESS)
    async def page(viewer: Viewer, kb_id: str, tab: str = "documents") -> None:
        try:
            kb = await container().services.knowledge.get(viewer.actor, kb_id)
        except NotFound:
            ui.label("This knowledge base does not exist (or is in another workspace).")
            ui.link("Back to knowledge bases", "/dashboard/knowledge").mark("back")
            return
        await _body(viewer.actor, kb, tab if tab in {t[0] for t in TABS} else "documents")


async def _body(actor: Actor, kb: m.KnowledgeBase, current: str) -> None:
    write = actor.may(Resource.KNOWLEDGE, write=True)
    with ui.row().classes("w-full items-center gap-2 no-wrap"):
        ui.button(icon="arrow_back", on_click=lambda: ui.navigate.to("/dashboard/knowledge")).props(
            "flat round dense aria-label=Back"
        ).tooltip("All knowledge bases")
        ui.label(kb.name).classes("text-xl font-semibold min-w-0 break-words").mark("kb-title")
        if kb.is_default:
            ui.badge("Default").props("outline color=primary")
    if not write:
        ui.label(READ_ONLY).classes("text-grey-7 text-sm").mark("read-only")
    with (
        ui.tabs(value=current)  # type: ignore[arg-type]  # NiceGUI takes a tab's name too
        .props("inline-label outside-arrows mobile-arrows dense align=left active-color=primary")
        .classes("w-full text-grey-8 border-b")
        .mark("kb-tabs") as tabs
    ):
        for key, label, icon in TABS:
            ui.tab(key, label, icon).mark(f"tab-{key}")
    refreshers: dict[str, Refresh] = {}

    async def switched(e: ValueChangeEventArguments) -> None:
        ui.navigate.history.replace(f"/dashboard/knowledge/{kb.id}?tab={e.value}")
        if e.value in refreshers:  # sources may have changed in another tab
            await refreshers[e.value]()

    tabs.on_value_change(switched)
    with (
        ui.tab_panels(tabs, value=current)
        .classes("w-full bg-transparent")
        .props("animated=false keep-alive")
    ):
        with ui.tab_panel("documents").classes("p-0 gap-4"):
            table = await documents.render(actor, kb, write)
        with ui.tab_panel("faqs").classes("p-0 gap-4"):
            await faqs.render(actor, kb, write)
        with ui.tab_panel("test").classes("p-0 gap-4"):
            refreshers["test"] = await test_panel.render(actor, kb)
        with ui.tab_panel("evaluation").classes("p-0 gap-4"):
            refreshers["evaluation"] = await evaluation.render(actor, kb, write)
    table.start()
