"""Lazily built embeddings + the vector store + a retriever, shared by API, worker and AI.

The e5 model takes seconds to load: building it at start would slow every boot (and tests),
so the first caller that needs vectors pays, once, behind a lock. Code on the event loop
uses the `a…()` accessors: they build in one worker thread (and skip the lock once built),
so a model load never stalls the loop — it did: recovery's first answer loaded e5 on the
loop and health stopped answering for 20 s (issue 13). The properties are for worker threads.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from app.embeddings import Embeddings, build_embeddings, build_query_embeddings
from app.rag import RetrievalSettings, Retriever
from app.vectors import VectorStore, build_vector_store

T = TypeVar("T")


class KnowledgeRuntime:
    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._embeddings: Embeddings | None = None
        self._store: VectorStore | None = None
        self._query: Embeddings | None = None
        self._retriever: Retriever | None = None
        self._building: dict[str, asyncio.Future[Any]] = {}

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
    def query_embeddings(self) -> Embeddings:
        """What questions are embedded with (see `build_query_embeddings`): answering never
        waits for, or stalls behind, the indexing model's load."""
        with self._lock:
            if self._query is None:
                self._query = build_query_embeddings(self.settings)
        return self._query if self._query is not None else self.embeddings

    @property
    def retriever(self) -> Retriever:
        if self._retriever is None:
            self._retriever = Retriever(self.query_embeddings, self.store, RetrievalSettings())
        return self._retriever

    async def aembeddings(self) -> Embeddings:
        built = self._embeddings
        return built if built is not None else await self._build("embeddings", self._get_emb)

    async def astore(self) -> VectorStore:
        built = self._store
        return built if built is not None else await self._build("store", self._get_store)

    async def aretriever(self) -> Retriever:
        built = self._retriever
        return built if built is not None else await self._build("retriever", self._get_ret)

    async def _build(self, what: str, build: Callable[[], T]) -> T:
        """One worker thread builds; every other caller awaits the same future instead of
        holding a thread of the shared pool while it waits for the lock (with six callers
        waiting on one e5 load, the pool was full and every API request that needed a
        thread waited for the model)."""
        future = self._building.get(what)
        if future is None:
            future = asyncio.ensure_future(asyncio.to_thread(build))
            self._building[what] = future
            future.add_done_callback(lambda _: self._building.pop(what, None))
        return await asyncio.shield(future)

    def _get_emb(self) -> Embeddings:
        return self.embeddings

    def _get_store(self) -> VectorStore:
        return self.store

    def _get_ret(self) -> Retriever:
        return self.retriever

    def close(self) -> None:
        close = getattr(self._store, "close", None)
        if callable(close):
            close()
