"""Reference questions of a KB (question + the document or FAQ that should answer it).

They are few (tens) and only the dashboard's Evaluation tab reads them, so they live as one
JSON file per KB under the data dir (backed up with it) rather than in a table: no migration,
and deleting the KB deletes the file. Writes need knowledge write access, checked here too.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import msgspec

from app.auth import Resource, guarded
from app.db.tables import KBDocument, KBFaq
from app.domain import Actor, Invalid, NotFound, new_id
from app.domain import knowledge as m
from app.schemas import knowledge as ks
from app.services.knowledge.access import kb_row


class ReferenceQuestions:
    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._lock = asyncio.Lock()  # one writer at a time: read-modify-write of a small file

    def _path(self, kb_id: str) -> Path:
        return self._folder / f"{kb_id}.json"

    def _read(self, kb_id: str) -> list[m.ReferenceQuestion]:
        try:
            raw = self._path(kb_id).read_bytes()
        except FileNotFoundError:
            return []
        return msgspec.json.decode(raw, type=list[m.ReferenceQuestion])

    def _write(self, kb_id: str, items: list[m.ReferenceQuestion]) -> None:
        self._folder.mkdir(parents=True, exist_ok=True)
        tmp = self._path(kb_id).with_suffix(".tmp")
        tmp.write_bytes(msgspec.json.encode(items))
        tmp.replace(self._path(kb_id))  # atomic: a crash never leaves half a file

    @guarded(Resource.KNOWLEDGE, write=False)
    async def list(self, actor: Actor, kb_id: str) -> list[m.ReferenceQuestion]:
        await kb_row(actor, kb_id)
        return await asyncio.to_thread(self._read, kb_id)

    @guarded(Resource.KNOWLEDGE, write=True)
    async def add(self, actor: Actor, kb_id: str, body: ks.ReferenceBody) -> m.ReferenceQuestion:
        await kb_row(actor, kb_id)
        question = body.question.strip()
        if not question:
            raise Invalid("the question is empty")
        if not await _is_source(kb_id, body.expected_source):
            raise Invalid("the expected source is not a document or FAQ of this knowledge base")
        ref = m.ReferenceQuestion(
            id=new_id(), question=question, expected_source=body.expected_source
        )
        async with self._lock:
            items = await asyncio.to_thread(self._read, kb_id)
            await asyncio.to_thread(self._write, kb_id, [*items, ref])
        return ref

    @guarded(Resource.KNOWLEDGE, write=True)
    async def delete(self, actor: Actor, kb_id: str, ref_id: str) -> None:
        await kb_row(actor, kb_id)
        async with self._lock:
            items = await asyncio.to_thread(self._read, kb_id)
            kept = [r for r in items if r.id != ref_id]
            if len(kept) == len(items):
                raise NotFound("reference question not found")
            await asyncio.to_thread(self._write, kb_id, kept)

    def drop(self, kb_id: str) -> None:
        """Forget a deleted KB's questions."""
        with contextlib.suppress(OSError):
            self._path(kb_id).unlink(missing_ok=True)


async def _is_source(kb_id: str, source_id: str) -> bool:
    doc = await KBDocument.exists().where(
        (KBDocument.id == source_id) & (KBDocument.knowledge_base_id == kb_id)
    )
    return doc or await KBFaq.exists().where(
        (KBFaq.id == source_id) & (KBFaq.knowledge_base_id == kb_id)
    )
