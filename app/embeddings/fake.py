"""A deterministic hashing embedder: fast, offline, no model — for tests and demos.

Each word is hashed into a bucket with a sign (the hashing trick), so texts that share words get
a high cosine. It is a real adapter, selected by `embedding_mode = "fake"`, not a mock.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence

_WORD = re.compile(r"\w+", re.UNICODE)


class FakeEmbeddings:
    """Bag-of-words hashed into `dim` buckets, L2-normalised."""

    def __init__(self, dim: int = 64, max_tokens: int = 512) -> None:
        self.dim = dim
        self.name = f"fake-hash-{dim}"
        self.max_tokens = max_tokens

    def _vector(self, text: str) -> list[float]:
        vec = [0.0] * self.dim
        for word in _WORD.findall(text.lower()):
            digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
            bucket = int.from_bytes(digest[:4], "little") % self.dim
            vec[bucket] += 1.0 if digest[4] & 1 else -1.0
        norm = math.sqrt(sum(v * v for v in vec))
        if norm == 0.0:
            vec[0], norm = 1.0, 1.0
        return [v / norm for v in vec]

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)

    def count_tokens(self, text: str) -> int:
        return len(_WORD.findall(text))
