"""Vector-store port, adapters (lancedb, qdrant, memory), shared keyword tokenizer, registry."""

from app.vectors.base import (
    Hit,
    Payload,
    Point,
    VectorFilter,
    VectorStore,
    collection_name,
)
from app.vectors.lexical import bm25_scores, tokenize
from app.vectors.memory import MemoryVectorStore
from app.vectors.registry import build_vector_store

__all__ = [
    "Hit",
    "MemoryVectorStore",
    "Payload",
    "Point",
    "VectorFilter",
    "VectorStore",
    "bm25_scores",
    "build_vector_store",
    "collection_name",
    "tokenize",
]
