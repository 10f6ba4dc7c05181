"""Knowledge base library: extraction, chunking, indexing, retrieval (ports wired by services).

The names load on first use (app/lazy.py): a module of the package (the PDF reader's child
process imports a few) does not import retrieval's numpy and the rest with it.
"""

from typing import TYPE_CHECKING

from app.lazy import lazy_exports

if TYPE_CHECKING:
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
        Candidates,
        RetrievalSettings,
        Retriever,
        SearchHit,
        default_min_score,
    )
    from app.rag.span import Span, best_span

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
__getattr__ = lazy_exports(
    __name__,
    {
        **dict.fromkeys(["Chunk", "PageText", "chunk_pages"], "app.rag.chunking"),
        **dict.fromkeys(["ExtractionError", "FetchError"], "app.rag.errors"),
        **dict.fromkeys(["EvalCase", "EvalMiss", "EvalReport", "evaluate"], "app.rag.evaluation"),
        **dict.fromkeys(
            [
                "ChunkRecord",
                "delete_document",
                "delete_faq",
                "delete_knowledge_base",
                "faq_text",
                "faq_vectors",
                "index_document",
                "index_faq",
            ],
            "app.rag.indexing",
        ),
        **dict.fromkeys(
            ["Candidates", "RetrievalSettings", "Retriever", "SearchHit", "default_min_score"],
            "app.rag.retrieval",
        ),
        **dict.fromkeys(["Span", "best_span"], "app.rag.span"),
    },
)
