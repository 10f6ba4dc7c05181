"""Lazily built embeddings + the vector store + a retriever, shared by API, worker and AI.

The e5 model takes seconds to load: building it at start would slow every boot (and tests),
so the first caller that needs vectors pays, once, behind a lock. Async callers `await
ready()` first: the load then happens in a worker thread, never on the event loop (where it
froze every open page and every API call for the seconds it took).
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from app.embeddings import Embeddings, build_embeddings
from app.rag import RetrievalSettings, Retriever
from app.vectors import VectorStore, build_vector_store


class KnowledgeRuntime:
    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._embeddings: Embeddings | None = None
        self._store: VectorStore | None = None
        self._retriever: Retriever | None = None

    @property
    def embeddings(self) -> Embeddings:
        with self._lock:
            if self._embeddings is None:
                self._embeddings = build_embeddings(self.settings)
            return self._embeddings

    @property
    def store(self) -> VectorStore:
        with self._lock:
            if self._store is None:
                self._store = build_vector_store(self.settings)
            return self._store

    @property
    def retriever(self) -> Retriever:
        if self._retriever is None:
            self._retriever = Retriever(self.embeddings, self.store, RetrievalSettings())
        return self._retriever

    async def ready(self) -> KnowledgeRuntime:
        """Load the model and open the store in a worker thread (cheap once loaded)."""
        if self._retriever is None:
            await asyncio.to_thread(lambda: self.retriever)
        return self

    def close(self) -> None:
        close = getattr(self._store, "close", None)
        if callable(close):
            close()
