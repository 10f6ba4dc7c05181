"""The FAQs tab (seed §7 FAQEditor): question/answer pairs, each embedded as it is saved.

FAQs are matched before documents, so an exact business answer ("we open at 9") wins over a
passage that merely mentions opening hours.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from nicegui import ui

from app.domain import Actor
from app.domain import knowledge as m
from app.schemas import knowledge as ks
from ui.components import ErrorLabel, busy, confirm
from ui.pages.knowledge._common import body
from ui.state import container


async def render(actor: Actor, kb: m.KnowledgeBase, write: bool) -> None:
    services = container().services

    @ui.refreshable
    async def listing() -> None:
        faqs = await services.faqs.list(actor, kb.id)
        if not faqs:
            ui.label("No FAQs yet.").classes("text-grey-7").mark("no-faqs")
        for faq in faqs:
            _faq_row(faq, write, functools.partial(edit, faq), functools.partial(remove, faq))

    async def edit(faq: m.Faq | None) -> None:
        if await _faq_dialog(actor, kb, faq):
            listing.refresh()

    async def remove(faq: m.Faq) -> None:
        if not await confirm("Delete this FAQ?", faq.question, action="Delete"):
            return

        async def call() -> bool:
            await services.faqs.delete(actor, kb.id, faq.id)
            return True

        if await error.run(call):
            ui.notify("FAQ deleted", type="positive")
            listing.refresh()

    with ui.card().classes("w-full gap-2"):
        with ui.row().classes("w-full items-center justify-between gap-2"):
            ui.label("Frequently asked questions").classes("text-lg font-semibold")
            if write:
                ui.button("Add FAQ", icon="add", on_click=lambda: edit(None)).props(
                    "unelevated"
                ).mark("add-faq")
        error = ErrorLabel("faq-error")
        with ui.column().classes("w-full gap-0").mark("faqs"):
            await listing()


def _faq_row(
    faq: m.Faq,
    write: bool,
    edit: Callable[[], Awaitable[None]],
    remove: Callable[[], Awaitable[None]],
) -> None:
    row = ui.row().classes("w-full items-start no-wrap gap-2 py-2 border-b border-gray-200")
    row.mark("faq-row").props["data-faq"] = faq.question
    with row:
        with ui.column().classes("gap-1 grow min-w-0"):
            ui.label(faq.question).classes("font-medium break-words").mark("faq-question")
            ui.label(faq.answer).classes("text-grey-8 whitespace-pre-wrap break-words").mark(
                "faq-answer"
            )
        if write:
            ui.button(icon="edit", on_click=edit).props("flat round dense aria-label=Edit").mark(
                "faq-edit"
            )
            ui.button(icon="delete", on_click=remove).props(
                "flat round dense color=negative aria-label=Delete"
            ).mark("faq-delete")


async def new_faq_dialog(actor: Actor, kb: m.KnowledgeBase, question: str) -> bool:
    """The New FAQ dialog with the question filled in (analytics: "add an FAQ" from a topic)."""
    return await _faq_dialog(actor, kb, None, question)


async def _faq_dialog(
    actor: Actor, kb: m.KnowledgeBase, faq: m.Faq | None, prefill: str = ""
) -> bool:
    services = container().services
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-lg gap-3").mark("faq-dialog"):
        ui.label("Edit FAQ" if faq else "New FAQ").classes("text-lg font-semibold")
        question = ui.input("Question", value=faq.question if faq else prefill).props(
            "outlined autofocus"
        )
        question.classes("w-full").mark("faq-question-input")
        answer = ui.textarea("Answer", value=faq.answer if faq else "").props("outlined autogrow")
        answer.classes("w-full").mark("faq-answer-input")
        error = ErrorLabel("faq-dialog-error")

        async def save() -> None:
            async def call() -> m.Faq:
                q, a = (question.value or "").strip(), (answer.value or "").strip()
                if faq is None:
                    new = body(ks.FaqCreateBody, question=q, answer=a)
                    return await services.faqs.create(actor, kb.id, new)
                change = body(ks.FaqCreateBody, question=q, answer=a)  # both stay required
                update = ks.FaqUpdateBody(question=change.question, answer=change.answer)
                return await services.faqs.update(actor, kb.id, faq.id, update)

            with busy(button):  # embedding it: seconds, the first time (the model loads)
                saved = await error.run(call)
            if saved is not None:
                dialog.submit(True)

        with ui.row().classes("w-full justify-end gap-2"):
            ui.button("Cancel", on_click=lambda: dialog.submit(False)).props("flat")
            button = ui.button("Save", on_click=save).props("unelevated").mark("faq-save")
    dialog.open()
    try:
        return bool(await dialog)
    finally:
        dialog.delete()
