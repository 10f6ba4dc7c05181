"""The Documents tab: KBDocumentUploader (drop files, add a web page, write text) + the table.

The uploader applies the service's own rules before the bytes leave the browser — 25 MB and
the accepted extensions — so a wrong file is refused at once; the service still sniffs every
upload's type from its bytes and its refusals show in the same error line.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import events, ui

from app.domain import Actor
from app.domain import knowledge as m
from app.domain.knowledge import MAX_UPLOAD_BYTES
from app.schemas import knowledge as ks
from ui.components import ErrorLabel
from ui.pages.knowledge._common import body
from ui.pages.knowledge.doc_table import DocumentTable
from ui.state import container

Reload = Callable[[], Awaitable[None]]
ACCEPT = ".pdf,.docx,.txt,.md,.markdown,.csv,.tsv"
LIMIT_MB = MAX_UPLOAD_BYTES // 2**20
# a drop zone rather than a file list: dashed, no byte counter; the table shows the files
UPLOAD_CSS = """
.kb-upload { border: 2px dashed #9e9e9e; }
.kb-upload .q-uploader__subtitle { display: none; }
.kb-upload .q-uploader__list { min-height: 0; padding: 0 8px; }
"""
REJECTED = f"Refused: files must be PDF, DOCX, TXT, MD or CSV and at most {LIMIT_MB} MB."


async def render(actor: Actor, kb: m.KnowledgeBase, write: bool) -> DocumentTable:
    """Draw the tab; the caller starts the table's live updates when the page is complete."""
    if write:
        _uploader(actor, kb, lambda: table.load())
    with ui.card().classes("w-full gap-1"):
        ui.label("Documents").classes("text-lg font-semibold")
        table = DocumentTable(actor, kb, write)
    await table.load()
    return table


def _uploader(actor: Actor, kb: m.KnowledgeBase, reload: Reload) -> None:
    services = container().services

    async def added(call: Callable[[], Awaitable[m.Document]]) -> None:
        doc = await error.run(call)
        if doc is not None:
            ui.notify(f"{doc.name} added; indexing…", type="positive")
            await reload()

    async def uploaded(e: events.UploadEventArguments) -> None:
        data = await e.file.read()
        await added(lambda: services.documents.upload(actor, kb.id, e.file.name, data))

    async def add_url() -> None:
        fields = {"type": "URL", "url": (url.value or "").strip() or None, "name": None}
        await added(lambda: services.documents.add(actor, kb.id, body(ks.DocumentBody, **fields)))
        if error.visible is False:
            url.value = ""

    async def add_text() -> None:
        fields = {"type": "MANUAL", "name": (title.value or "").strip() or None}
        fields["content"] = text.value or None
        await added(lambda: services.documents.add(actor, kb.id, body(ks.DocumentBody, **fields)))
        if error.visible is False:
            title.value, text.value = "", ""

    with ui.card().classes("w-full gap-3").mark("uploader"):
        ui.label("Add documents").classes("text-lg font-semibold")
        upload: ui.upload = ui.upload(
            label=f"Drop files here or click + (PDF, DOCX, TXT, MD, CSV · up to {LIMIT_MB} MB)",
            multiple=True,
            auto_upload=True,
            max_file_size=MAX_UPLOAD_BYTES,
            on_upload=uploaded,
            on_multi_upload=lambda: upload.reset(),  # the table shows them from now on
            on_rejected=lambda: error.show(REJECTED),
        )
        upload.props(f'accept="{ACCEPT}" flat bordered color=grey-2 text-color=grey-9')
        upload.classes("w-full kb-upload").mark("upload")
        ui.add_css(UPLOAD_CSS)
        with ui.row().classes("w-full items-start gap-2"):
            url: ui.input = ui.input("Web page URL", placeholder="https://example.com/faq")
            url.props("outlined dense type=url clearable").classes("grow basis-56")
            url.mark("url-input")
            url.on("keydown.enter", add_url)
            ui.button("Add page", icon="link", on_click=add_url).props("unelevated").mark("add-url")
        with ui.expansion("Write text instead", icon="edit_note").classes("w-full").mark("manual"):
            title: ui.input = ui.input("Title").props("outlined dense").classes("w-full")
            title.mark("manual-title")
            text: ui.textarea = ui.textarea("Text").props("outlined autogrow").classes("w-full")
            text.mark("manual-text")
            ui.button("Add text", on_click=add_text).props("unelevated").mark("add-text")
        error: ErrorLabel = ErrorLabel("upload-error")
