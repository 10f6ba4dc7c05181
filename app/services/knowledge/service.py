"""Knowledge bases, FAQs and documents (seed §6), always scoped to `actor.workspace_id`.

Documents are stored as rows (PENDING) and indexed by `IndexWorker`; FAQs are short, so they
are embedded inline on create/update. Vectors are removed with their row.

Callers see one `KnowledgeService`; each concern lives in its own module and is mixed in here:
`bases` (KB CRUD), `faqs`, `documents`, `retrieval` (test + evaluation), over `core`
(collaborators and the workspace checks every part uses).
"""

from __future__ import annotations

from app.services.knowledge.bases import DEFAULT_NAME, KnowledgeBaseOps
from app.services.knowledge.documents import DocumentOps
from app.services.knowledge.faqs import FaqOps
from app.services.knowledge.retrieval_checks import RetrievalOps


class KnowledgeService(KnowledgeBaseOps, FaqOps, DocumentOps, RetrievalOps):
    """The knowledge base use cases; constructed as `KnowledgeCore` is."""


__all__ = ["DEFAULT_NAME", "KnowledgeService"]
