"""The product's knowledge bases, one service per aggregate: knowledge bases, FAQs, documents
(indexed in the background by `IndexWorker`), reference questions, and the test panel's
retrieval checks.

`app/rag` is the pure library (extract, chunk, embed, search); this package owns the database
rows, the background indexing queue and the tenancy rules around it (`access.py`).
"""

from app.services.knowledge.access import KnowledgeFiles
from app.services.knowledge.bases import DEFAULT_NAME, KnowledgeBaseService
from app.services.knowledge.document_indexer import DocumentIndexer
from app.services.knowledge.documents import DocumentService
from app.services.knowledge.faqs import FaqService
from app.services.knowledge.index_worker import IndexWorker
from app.services.knowledge.references import ReferenceQuestions
from app.services.knowledge.retrieval_checks import RetrievalChecks

__all__ = [
    "DEFAULT_NAME",
    "DocumentIndexer",
    "DocumentService",
    "FaqService",
    "IndexWorker",
    "KnowledgeBaseService",
    "KnowledgeFiles",
    "ReferenceQuestions",
    "RetrievalChecks",
]
