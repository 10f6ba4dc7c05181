"""Knowledge base library: extraction, chunking, indexing, retrieval (ports wired by services)."""

from app.knowledge.chunking import Chunk, PageText, chunk_pages
from app.knowledge.errors import ExtractionError, FetchError
from app.knowledge.evaluation import EvalCase, EvalMiss, EvalReport, evaluate
from app.knowledge.indexing import (
    ChunkRecord,
    delete_document,
    delete_faq,
    delete_knowledge_base,
    faq_text,
    faq_vectors,
    index_document,
    index_faq,
)
from app.knowledge.retrieval import (
    Candidates,
    RetrievalSettings,
    Retriever,
    SearchHit,
    default_min_score,
)
from app.knowledge.span import Span, best_span

__all__ = [
    "Candidates",
    "Chunk",
    "ChunkRecord",
    "EvalCase",
    "EvalMiss",
    "EvalReport",
    "ExtractionError",
    "FetchError",
    "PageText",
    "RetrievalSettings",
    "Retriever",
    "SearchHit",
    "Span",
    "best_span",
    "chunk_pages",
    "default_min_score",
    "delete_document",
    "delete_faq",
    "delete_knowledge_base",
    "evaluate",
    "faq_text",
    "faq_vectors",
    "index_document",
    "index_faq",
]
