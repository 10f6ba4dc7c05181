"""Knowledge base library: extraction, chunking, indexing, retrieval (ports wired by services)."""

from app.rag.chunking import Chunk, PageText, chunk_pages
from app.rag.errors import ExtractionError, FetchError
from app.rag.evaluation import EvalCase, EvalMiss, EvalReport, evaluate
from app.rag.indexing import (
    ChunkRecord,
    delete_document,
    delete_faq,
    delete_knowledge_base,
    faq_text,
    faq_vectors,
    index_document,
    index_faq,
)
from app.rag.retrieval import (
    RetrievalSettings,
    Retriever,
    SearchHit,
    default_min_score,
)
from app.rag.span import Span, best_span

__all__ = [
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
