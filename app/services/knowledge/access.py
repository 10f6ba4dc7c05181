"""The tenancy checks every knowledge service shares, and where uploaded files live.

Every lookup by id goes through `kb_row` / `child_row`, so a knowledge base of another
workspace (or a FAQ or document of one) is NotFound, never someone else's data.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Any

from app.db.tables import KnowledgeBase
from app.domain import Actor, Forbidden, NotFound, media_url, owned_key
from app.domain.files import MEDIA_PREFIX
from app.storage import Storage

log = logging.getLogger(__name__)


def workspace_of(actor: Actor) -> str:
    """The actor's workspace (every guarded method has one; this says so to the type checker)."""
    if actor.workspace_id is None:
        raise Forbidden("choose a workspace first")
    return actor.workspace_id


async def kb_row(actor: Actor, kb_id: str) -> dict[str, Any]:
    """The knowledge base's row, if the actor's workspace owns it; else NotFound."""
    row = (
        await KnowledgeBase.select()
        .where((KnowledgeBase.id == kb_id) & (KnowledgeBase.workspace_id == actor.workspace_id))
        .first()
    )
    if row is None:
        raise NotFound("knowledge base not found")
    return row


async def child_row(actor: Actor, kb_id: str, table: Any, row_id: str, what: str) -> dict[str, Any]:
    """A FAQ or document of a KB the actor's workspace owns, or NotFound."""
    await kb_row(actor, kb_id)
    row = (
        await table.select()
        .where((table.id == row_id) & (table.knowledge_base_id == kb_id))
        .first()
    )
    if row is None:
        raise NotFound(f"{what} not found")
    return row


class KnowledgeFiles:
    """Uploaded files, kept until their document (or KB) goes, and the reference-question
    files beside them (`<data dir>/kb/references`, on the data volume).

    With a local media store an upload is `<data dir>/kb/<document id>` and the row's
    `file_path` is that absolute path, as it always was. With media in S3 (`remote`) it is the
    object `<workspace>/kb/<document id>` and `file_path` its `media/...` name, so any node's
    indexer reads it. A row keeps working whichever store wrote it."""

    def __init__(self, root: Path, remote: Storage | None = None) -> None:
        self.root = root
        self._remote = remote

    @property
    def references(self) -> Path:
        return self.root / "references"

    def path(self, doc_id: str) -> Path:
        return self.root / doc_id

    async def write(self, workspace_id: str, doc_id: str, data: bytes) -> str:
        """Store an upload; the row's `file_path`."""
        if self._remote is not None:
            key = f"{workspace_id}/kb/{doc_id}"
            await self._remote.put_bytes(key, data)
            return media_url(key)
        return str(await asyncio.to_thread(self._write_local, doc_id, data))

    def _write_local(self, doc_id: str, data: bytes) -> Path:
        path = self.path(doc_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    async def read(self, workspace_id: str, file_path: str) -> bytes:
        """The upload's bytes (FileNotFoundError when it is gone)."""
        if not file_path.startswith(MEDIA_PREFIX):
            return await asyncio.to_thread(Path(file_path).read_bytes)
        key = owned_key(workspace_id, file_path)
        if key is None or self._remote is None:  # written to S3, read on a local store
            raise FileNotFoundError(file_path)
        return b"".join([piece async for piece in self._remote.stream(key)])

    async def remove(self, workspace_id: str, doc_id: str, file_path: str | None) -> None:
        key = owned_key(workspace_id, file_path)
        if key is not None and self._remote is not None:
            try:
                await self._remote.delete(key)
            except Exception as exc:  # the row is gone regardless; an orphan object stays
                log.warning("knowledge file %s not removed: %s", key, exc)
            return
        with contextlib.suppress(OSError):
            await asyncio.to_thread(self.path(doc_id).unlink, missing_ok=True)
