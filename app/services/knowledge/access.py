"""The tenancy checks every knowledge service shares, and where uploaded files live.

Every lookup by id goes through `kb_row` / `child_row`, so a knowledge base of another
workspace (or a FAQ or document of one) is NotFound, never someone else's data.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from app.db.tables import KnowledgeBase
from app.domain import Actor, Forbidden, NotFound


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
    """Uploaded files, kept under `<data dir>/kb/<document id>` until their document (or
    KB) goes, and the reference-question files beside them."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def references(self) -> Path:
        return self.root / "references"

    def path(self, doc_id: str) -> Path:
        return self.root / doc_id

    def write(self, doc_id: str, data: bytes) -> Path:
        """Store an upload (blocking: run in a thread)."""
        path = self.path(doc_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def remove(self, doc_id: str) -> None:
        with contextlib.suppress(OSError):
            self.path(doc_id).unlink(missing_ok=True)
