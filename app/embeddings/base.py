"""The embeddings port: text in, unit-length vectors out.

Methods are synchronous on purpose: every adapter is CPU-bound, so callers (the indexer, the
retriever) run them in a worker thread and keep the event loop free.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable


@runtime_checkable
class Embeddings(Protocol):
    """A sentence-embedding model. Vectors are L2-normalised, so dot product == cosine.

    `name`, `dim` and `max_tokens` are read-only to callers: an adapter may keep them as plain
    attributes, or as properties (the idle-unloading wrapper reads them from the model)."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    @property
    def max_tokens(self) -> int: ...

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        """Embed passages (chunks, FAQs) in batches."""
        ...

    def embed_query(self, text: str) -> list[float]:
        """Embed one search query (some models use a different prefix for queries)."""
        ...

    def count_tokens(self, text: str) -> int:
        """Tokens the model would see for `text`, without special tokens."""
        ...


def batched(texts: Sequence[str], size: int) -> list[Sequence[str]]:
    """Split `texts` into consecutive batches of at most `size`."""
    size = max(1, size)
    return [texts[i : i + size] for i in range(0, len(texts), size)]
