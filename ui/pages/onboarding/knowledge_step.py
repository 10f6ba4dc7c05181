"""Step 4: the bot's first knowledge — a question and its answer, a page of text, or a file —
added to the workspace's default knowledge base."""

from __future__ import annotations

from nicegui import events, ui

from app.domain import Invalid, Resource
from app.domain import knowledge as kb
from app.schemas import knowledge as ks
from ui.components import ErrorLabel, busy
from ui.pages.onboarding._common import Wizard, checked, nav
from ui.state import container


def build(wizard: Wizard) -> None:
    if not wizard.actor.may(Resource.KNOWLEDGE, write=True):
        with nav(wizard):
            ui.button("Continue", on_click=wizard.next).props("unelevated")
        return
    services = container().services
    ui.label("Teach the bot one thing now; add more later under Knowledge.").classes("text-grey-7")
    with ui.tabs().props("dense align=left no-caps").classes("w-full") as tabs:
        faq_tab = ui.tab("faq", "FAQ", icon="quiz").mark("tab-faq")
        ui.tab("text", "Text", icon="notes").mark("tab-text")
        ui.tab("file", "File", icon="upload_file").mark("tab-file")
    error = ErrorLabel("knowledge-error")
    added = ui.label().classes("text-positive").mark("knowledge-added")

    def done(what: str) -> None:
        added.text = f"Added {what} ✓"
        wizard.next()

    with ui.tab_panels(tabs, value=faq_tab).classes("w-full bg-transparent"):
        with ui.tab_panel("faq").classes("px-0 gap-2"):
            question = ui.input("Question", placeholder="What are your opening hours?")
            question.props("outlined").classes("w-full max-w-xl").mark("faq-question")
            answer = ui.textarea("Answer", placeholder="We are open 8–18, Monday to Saturday.")
            answer.props("outlined autogrow").classes("w-full max-w-xl").mark("faq-answer")

            async def add_faq() -> None:
                async def call() -> kb.Faq:
                    q, a = (question.value or "").strip(), (answer.value or "").strip()
                    if not q or not a:
                        raise Invalid("Write both the question and its answer.")
                    body = checked(ks.FaqCreateBody, question=q, answer=a)
                    return await services.faqs.create(wizard.actor, await _kb(wizard), body)

                with busy(add):  # the first FAQ loads the embedding model: seconds
                    faq = await error.run(call)
                if faq is not None:
                    if wizard.question is not None and not wizard.question.value:
                        wizard.question.value = faq.question  # what to try next
                    done("the question")

            add = ui.button("Add FAQ", on_click=add_faq).props("unelevated").mark("add-faq")
        with ui.tab_panel("text").classes("px-0 gap-2"):
            title = ui.input("Title", value="About us").props("outlined").classes("w-full max-w-xl")
            content = ui.textarea("Text", placeholder="Paste prices, policies, directions…")
            content.props("outlined autogrow").classes("w-full max-w-xl").mark("manual-text")

            async def add_text() -> None:
                async def call() -> kb.Document:
                    if not (content.value or "").strip():
                        raise Invalid("Paste some text for the bot to learn from.")
                    body = checked(
                        ks.DocumentBody, type="MANUAL", name=title.value or None,
                        content=content.value,
                    )  # fmt: skip
                    return await services.documents.add(wizard.actor, await _kb(wizard), body)

                if await error.run(call) is not None:
                    done("the text (indexing in the background)")

            ui.button("Add text", on_click=add_text).props("unelevated").mark("add-text")
        with ui.tab_panel("file").classes("px-0 gap-2"):
            ui.label("PDF, Word, text or Markdown; indexed in the background.").classes(
                "text-sm text-grey-8"
            )

            async def upload(event: events.UploadEventArguments) -> None:
                data = await event.file.read()
                doc = await error.run(lambda: _upload(wizard, event.file.name, data))
                if doc is not None:
                    done(doc.name)

            ui.upload(on_upload=upload, auto_upload=True, max_files=1).props(
                "flat bordered"
            ).classes("w-full max-w-xl").mark("kb-upload")
    with nav(wizard):
        ui.button("Skip for now", on_click=wizard.next).props("flat").mark("knowledge-skip")


async def _kb(wizard: Wizard) -> str:
    if not wizard.kb_id:
        wizard.kb_id = await container().services.knowledge.default_kb_id(
            wizard.actor.workspace_id or ""
        )
    return wizard.kb_id


async def _upload(wizard: Wizard, name: str, data: bytes) -> kb.Document:
    return await container().services.documents.upload(wizard.actor, await _kb(wizard), name, data)
