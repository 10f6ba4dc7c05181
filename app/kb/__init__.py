"""The knowledge base wired into the product: runtime (model + store), indexing worker, service.

`app/knowledge` is the pure library; this package owns the database rows, the background
queue and the tenancy rules around it.
"""

from app.kb.runtime import KnowledgeRuntime
from app.kb.service import KnowledgeService
from app.kb.worker import IndexWorker

__all__ = ["IndexWorker", "KnowledgeRuntime", "KnowledgeService"]
