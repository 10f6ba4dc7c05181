"""The product's knowledge bases: KBs, FAQs, documents, the indexing worker, reference questions.

`app/rag` is the pure library (extract, chunk, embed, search); this package owns the database
rows, the background indexing queue and the tenancy rules around it.
"""

from app.services.knowledge.index_worker import IndexWorker
from app.services.knowledge.service import KnowledgeService

__all__ = ["IndexWorker", "KnowledgeService"]
