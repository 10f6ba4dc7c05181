"""What every part of `KnowledgeService` shares: its collaborators and the tenancy checks.

The service is one object to its callers (API, dashboard, onboarding), but its parts (knowledge
bases, FAQs, documents, retrieval) live in their own modules as mixins over this core. Every
lookup by id goes through `_kb_row`/`_child_row`, so a KB of another workspace is NotFound.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from app.db.tables import KnowledgeBase
from app.domain import Actor, NotFound
from app.rag.runtime import KnowledgeRuntime
from app.records import AuditTrail
from app.services.knowledge.index_worker import IndexWorker
from app.services.knowledge.references import ReferenceQuestions


class KnowledgeCore:
    def __init__(
        self,
        runtime: KnowledgeRuntime,
        worker: IndexWorker,
        audit: AuditTrail,
        data_dir: Path,
        settings: Any,
    ) -> None:
        self.runtime = runtime
        self.worker = worker
        self._audit = audit
        self._files = data_dir / "kb"
        self._settings = settings
        self.references = ReferenceQuestions(self, self._files / "references")

    async def _kb_row(self, actor: Actor, kb_id: str) -> dict[str, Any]:
        row = (
            await KnowledgeBase.select()
            .where((KnowledgeBase.id == kb_id) & (KnowledgeBase.workspace_id == actor.workspace_id))
            .first()
        )
        if row is None:
            raise NotFound("knowledge base not found")
        return row

    async def _child_row(
        self, actor: Actor, kb_id: str, table: Any, row_id: str, what: str
    ) -> dict[str, Any]:
        """A FAQ or document of a KB the actor's workspace owns, or NotFound."""
        await self._kb_row(actor, kb_id)
        row = (
            await table.select()
            .where((table.id == row_id) & (table.knowledge_base_id == kb_id))
            .first()
        )
        if row is None:
            raise NotFound(f"{what} not found")
        return row

    def _remove_file(self, doc_id: str) -> None:
        """Uploaded files are kept under the data dir until their document (or KB) goes."""
        with contextlib.suppress(OSError):
            (self._files / doc_id).unlink(missing_ok=True)
