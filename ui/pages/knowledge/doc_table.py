"""KBDocumentList: the KB's documents with their status, kept live from `kb:progress` events.

The indexing worker publishes `kb:progress` (percent, status) on the event bus; this table
follows it (`ui.components.live.follow`, access-checked) and drains what arrived on a short
timer: a percent moves the bar in place, a new status reloads the rows. While anything is
still PENDING/PROCESSING the rows are also reloaded every few seconds, so a dropped event (the
bus drops the oldest for a lagging subscriber) heals.
"""

from __future__ import annotations

import collections
import time

from nicegui import ui

from app.domain import Actor
from app.domain import knowledge as m
from app.events import Event, names
from ui.components import ErrorLabel, confirm
from ui.components.format import when
from ui.components.live import follow
from ui.pages.knowledge._common import STATUS_COLOR
from ui.state import container

BUSY = ("PENDING", "PROCESSING")
TYPE_ICON = {"PDF": "picture_as_pdf", "DOCX": "article", "URL": "link", "MANUAL": "edit_note"}


class DocumentTable(ui.column):
    def __init__(self, actor: Actor, kb: m.KnowledgeBase, write: bool) -> None:
        super().__init__()
        self.actor, self.kb, self.write = actor, kb, write
        self.docs: list[m.Document] = []
        self._drawn = False
        self.percent: dict[str, int] = {}
        self.counts: dict[str, tuple[int, int]] = {}  # chunks embedded, of how many
        self._bars: dict[str, tuple[ui.linear_progress, ui.label]] = {}
        self._polled = time.monotonic()
        self.classes("w-full gap-0").mark("documents")
        with self:
            self.error = ErrorLabel("doc-error")
            self.body = ui.column().classes("w-full gap-0")
        # events arrive through `follow` (access-checked, ends with the viewer's access) and
        # wait here for the timer; the oldest go first when a burst overflows (the poll heals)
        self.inbox: collections.deque[Event] = collections.deque(maxlen=1000)
        follow(actor, self._arrived)

    async def _arrived(self, event: Event) -> None:
        if event.name == names.KB_PROGRESS:
            self.inbox.append(event)

    def start(self) -> None:
        """Follow the events; call once the page is built (a timer makes NiceGUI answer the
        browser at once, so anything drawn after it would arrive late, over the socket)."""
        with self:
            ui.timer(0.3, self._drain)

    async def load(self) -> None:
        docs = await container().services.documents.list(self.actor, self.kb.id)
        self._polled = time.monotonic()
        if self._drawn and docs == self.docs:
            return  # nothing changed: keep the rows (a redraw would eat a click in flight)
        self.docs, self._drawn = docs, True
        self._bars = {}
        self.body.clear()
        with self.body:
            if not self.docs:
                ui.label(
                    "No documents yet: upload a file, add a web page or write some text."
                ).classes("text-grey-7")
            for doc in self.docs:
                self._row(doc)

    async def _drain(self) -> None:
        reload = False
        while self.inbox:
            event = self.inbox.popleft()
            data = event.data
            if data.get("knowledgeBaseId") != self.kb.id:
                continue
            doc_id = data.get("documentId", "")
            self.percent[doc_id] = int(data.get("percent", 0))
            if "chunksTotal" in data:
                self.counts[doc_id] = (int(data.get("chunksDone", 0)), int(data["chunksTotal"]))
            known = next((d for d in self.docs if d.id == doc_id), None)
            if known is None or known.status != data.get("status") or doc_id not in self._bars:
                reload = True
            else:
                bar, caption = self._bars[doc_id]
                bar.value = self.percent[doc_id] / 100
                caption.text = self._caption(doc_id)
        busy = any(d.status in BUSY for d in self.docs)
        if reload or (busy and time.monotonic() - self._polled > 3):
            await self.load()

    def _row(self, doc: m.Document) -> None:
        row = ui.column().classes("w-full gap-1 py-2 border-b border-gray-200").mark("doc-row")
        row.props["data-doc"] = doc.name
        with row, ui.row().classes("w-full items-center gap-x-3 gap-y-1"):
            ui.icon(TYPE_ICON.get(doc.type, "description")).classes("text-2xl text-grey-7")
            with ui.column().classes("gap-0 grow min-w-0 basis-48"):
                ui.label(doc.name).classes("font-medium break-all").mark("doc-name")
                plural = "" if doc.chunk_count == 1 else "s"
                chunks = f"{doc.chunk_count} chunk{plural}" if doc.status == "INDEXED" else ""
                meta = " · ".join(x for x in (doc.type, chunks, when(doc.created_at)) if x)
                ui.label(meta).classes("text-grey-7 text-sm").mark("doc-meta")
            ui.chip(doc.status.title(), color=STATUS_COLOR.get(doc.status, "grey")).props(
                "dense square text-color=white"
            ).mark("doc-status")
            if self.write:
                ui.button(icon="refresh", on_click=lambda d=doc: self._reindex(d)).props(
                    "flat round dense aria-label=Reindex"
                ).tooltip("Index again").mark("doc-reindex")
                ui.button(icon="delete", on_click=lambda d=doc: self._delete(d)).props(
                    "flat round dense color=negative aria-label=Delete"
                ).tooltip("Delete").mark("doc-delete")
        with row:
            if doc.status in BUSY:
                bar = ui.linear_progress(self.percent.get(doc.id, 0) / 100, show_value=False)
                waiting = " indeterminate" if doc.status == "PENDING" else ""
                bar.props(f"rounded size=6px{waiting}")
                bar.mark("doc-progress")
                text = "Waiting to be indexed…" if waiting else self._caption(doc.id)
                caption = ui.label(text).classes("text-grey-7 text-xs").mark("doc-progress-text")
                self._bars[doc.id] = (bar, caption)
            if doc.error_message:
                ui.label(doc.error_message).classes("text-negative text-sm").mark("doc-error-msg")
            if doc.source_url:
                ui.link(doc.source_url, doc.source_url, new_tab=True).classes("text-sm break-all")

    def _caption(self, doc_id: str) -> str:
        """What the bar stands for: reading the file, then passages embedded of how many."""
        if doc_id not in self.counts:
            return "Reading the document…"
        done, total = self.counts[doc_id]
        return f"{done} of {total} passage{'' if total == 1 else 's'} embedded"

    async def _reindex(self, doc: m.Document) -> None:
        async def call() -> m.Document:
            return await container().services.documents.reindex(self.actor, self.kb.id, doc.id)

        if await self.error.run(call) is not None:
            self.percent[doc.id] = 0
            self.counts.pop(doc.id, None)
            await self.load()

    async def _delete(self, doc: m.Document) -> None:
        if not await confirm(f"Delete “{doc.name}”?", "The bot stops using it.", action="Delete"):
            return

        async def call() -> bool:
            await container().services.documents.delete(self.actor, self.kb.id, doc.id)
            return True

        if await self.error.run(call):
            ui.notify(f"{doc.name} deleted", type="positive")
            await self.load()
